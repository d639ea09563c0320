package id.gerbang.gateway.console;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the line of a YAML route definition that holds a field named as violations name it
 * ({@code upstream.url}, {@code access.clients[1].id}), so that the console shows each problem beside
 * its line. A nested field written inline ({@code upstream: {url: ...}}) is on its parent's line; a field
 * that is not there at all (a required one missing) has no line.
 */
final class YamlLines {

    private YamlLines() {}

    /** @return the 0-based line, or -1 */
    static int find(String[] lines, String field) {
        if (field == null || field.isBlank()) {
            return -1;
        }
        String[] keys = field.replaceAll("\\[\\d+]", "").split("\\.");
        int from = 0;
        int indent = -1;
        int found = -1;
        for (String key : keys) {
            if (found >= 0 && lines[found].matches(".*\\{.*\\b" + Pattern.quote(key) + "\\s*:.*")) {
                return found; // written inline on the parent's line
            }
            Pattern p = Pattern.compile("^(\\s*)(- )?" + Pattern.quote(key) + "\\s*:");
            int next = -1;
            for (int i = from; i < lines.length; i++) {
                String line = lines[i];
                if (line.isBlank() || line.trim().startsWith("#")) {
                    continue;
                }
                int lineIndent = line.length() - line.stripLeading().length();
                if (found >= 0 && lineIndent <= indent) {
                    break; // left the parent's block
                }
                Matcher m = p.matcher(line);
                if (m.find() && (found >= 0 || lineIndent == 0)) {
                    next = i;
                    indent = lineIndent;
                    break;
                }
            }
            if (next < 0) {
                return found; // the nearest enclosing line, or -1 when even the top-level key is missing
            }
            found = next;
            from = next + 1;
        }
        return found;
    }
}
