package id.gerbang.gateway.console;

import org.springframework.context.MessageSourceResolvable;

/**
 * A form value the console cannot use, said by its message in the bundles ({@code input.*}), so that the page
 * names the problem in its own language; the English of {@link #getMessage()} is for logs and plain answers.
 */
class InvalidInput extends IllegalArgumentException implements MessageSourceResolvable {

    static InvalidInput fromBeforeTo() {
        return new InvalidInput("input.fromBeforeTo", "from must be before to");
    }

    static InvalidInput notATime(String value) {
        return new InvalidInput("input.notATime", "not a date and time: " + value, value);
    }

    static InvalidInput status() {
        return new InvalidInput("input.status", "status must be a number from 100 to 599");
    }

    private final String code;
    private final Object[] args;

    private InvalidInput(String code, String english, Object... args) {
        super(english);
        this.code = code;
        this.args = args;
    }

    @Override
    public String[] getCodes() {
        return new String[] {code};
    }

    @Override
    public Object[] getArguments() {
        return args;
    }

    @Override
    public String getDefaultMessage() {
        return getMessage();
    }
}
