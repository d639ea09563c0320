package id.gerbang.gateway.trail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The receipt-check script of docs/trail.md ("Receipts"), taken from the page itself and run with python3. */
final class ReceiptScript {

    /** The result of one run: exit status and what it printed (both streams). */
    record Run(int exit, String output) {
        /** The output of a run that must have failed. */
        String failure() {
            if (exit == 0) {
                throw new AssertionError("the script accepted what it should refuse: " + output);
            }
            return output;
        }
    }

    private ReceiptScript() {}

    /** The first Python block after the heading "## Receipts" of docs/trail.md. */
    static String fromDocs() throws IOException {
        String page = Files.readString(Path.of("..", "docs", "trail.md"), StandardCharsets.UTF_8);
        int section = page.indexOf("\n## Receipts\n");
        if (section < 0) {
            throw new AssertionError("docs/trail.md has no section \"## Receipts\"");
        }
        int start = page.indexOf("```python\n", section);
        int end = page.indexOf("\n```\n", start);
        if (start < 0 || end < 0) {
            throw new AssertionError("the Receipts section of docs/trail.md has no Python block");
        }
        return page.substring(start + "```python\n".length(), end + 1);
    }

    static boolean python3() {
        return succeeds("python3", "--version");
    }

    static boolean cryptography() {
        return succeeds("python3", "-c", "import cryptography");
    }

    static Run run(Path script, Path receipt, String key) throws Exception {
        Process p = new ProcessBuilder("python3", script.toString(), receipt.toString(), key).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the script did not end");
        }
        return new Run(p.exitValue(), out);
    }

    private static boolean succeeds(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
