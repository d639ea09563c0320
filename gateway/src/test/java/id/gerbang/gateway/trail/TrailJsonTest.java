package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The exported forms: RFC 4180 CSV and strict NDJSON lines. */
class TrailJsonTest {

    private static String field(String s) throws Exception {
        StringWriter w = new StringWriter();
        TrailJson.csvField(w, s);
        return w.toString();
    }

    @Test
    void csvFieldsAreQuotedOnlyWhenTheyMustBe() throws Exception {
        assertThat(field("/api/disdukcapil/penduduk/140401**********")).isEqualTo("/api/disdukcapil/penduduk/140401**********");
        assertThat(field("nik=***&x=a,b")).isEqualTo("\"nik=***&x=a,b\"");
        assertThat(field("say \"hai\"")).isEqualTo("\"say \"\"hai\"\"\"");
        assertThat(field("two\r\nlines")).isEqualTo("\"two\r\nlines\"");
        assertThat(field("")).as("an empty string, unlike null").isEqualTo("\"\"");
    }

    /** OWASP's CSV injection advice: a cell a spreadsheet would run is shown as text instead. */
    @Test
    void aCellThatStartsLikeAFormulaIsQuotedAndPrefixedWithAQuote() throws Exception {
        assertThat(field("=cmd|'/Ccalc'!A0")).isEqualTo("\"'=cmd|'/Ccalc'!A0\"");
        assertThat(field("=HYPERLINK(\"http://x\",\"a\")")).isEqualTo("\"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\"");
        assertThat(field("+1+1")).isEqualTo("\"'+1+1\"");
        assertThat(field("-2+3")).isEqualTo("\"'-2+3\"");
        assertThat(field("@SUM(A1)")).isEqualTo("\"'@SUM(A1)\"");
        assertThat(field("\t=1")).isEqualTo("\"'\t=1\"");
        assertThat(field("\r=1")).isEqualTo("\"'\r=1\"");
        assertThat(field("a=1+1")).as("only the first character counts").isEqualTo("a=1+1");
    }

    @Test
    void theConsolesReportCellsFollowTheSameRule() {
        assertThat(TrailJson.csvCell("\t=1")).isEqualTo("\"'\t=1\"");
        assertThat(TrailJson.csvCell("\r=1")).isEqualTo("\"'\r=1\"");
        assertThat(TrailJson.csvCell("a\rb")).as("a CR inside a cell is quoted").isEqualTo("\"a\rb\"");
        assertThat(TrailJson.csvCell("dinkes-simpus (dinkes)")).isEqualTo("dinkes-simpus (dinkes)");
        assertThat(TrailJson.csvCell(null)).isEmpty();
    }

    @Test
    void aRowNeutralisesEveryFieldAndNdjsonKeepsTheValueExactly() throws Exception {
        AuditRecord r = RecordHashTest.copy(RecordHashTest.CALL, "userId", "=cmd|'/Ccalc'!A0");
        StringWriter w = new StringWriter();
        TrailJson.csvRow(w, r);
        assertThat(w.toString()).contains(",dinkes,\"'=cmd|'/Ccalc'!A0\",disdukcapil-penduduk,");
        assertThat(TrailJson.parse(TrailJson.json(r)).userId()).isEqualTo("=cmd|'/Ccalc'!A0");
    }

    @Test
    void aCsvRowHasEveryFieldAndEndsWithCrlf() throws Exception {
        StringWriter w = new StringWriter();
        TrailJson.csvRow(w, RecordHashTest.CHANGE.withHash(RecordHashTest.CHANGE_HASH));
        String row = w.toString();
        assertThat(row).endsWith("\r\n").startsWith("43,route-change,gerbang-2,1,2026-11-27T03:04:05.000Z,,,gerbang-admin,");
        assertThat(row).endsWith("," + AuditRecord.GENESIS + ",,1," + RecordHashTest.CHANGE_HASH + "\r\n");
    }

    @Test
    void linesAreReadStrictly() {
        String line = TrailJson.json(RecordHashTest.CALL.withHash(RecordHashTest.CALL_HASH));
        assertThatThrownBy(() -> TrailJson.parse(line.replace("\"userId\":\"dr.sari\",", "")))
                .as("a missing field").isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> TrailJson.parse(line.replace("\"nodeSeq\":7", "\"nodeSeq\":null")))
                .as("no sequence number").isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> TrailJson.parse(line.replace("{\"id\"", "{\"signedBy\":\"x\",\"id\"")))
                .as("an unknown field").isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void theVerificationResultHasTheFieldsOfTheContract() {
        assertThat(TrailJson.result(new TrailVerifier.Result(false, 12, 57L, "why")).toString())
                .isEqualTo("{\"valid\":false,\"checked\":12,\"firstInvalid\":57,\"reason\":\"why\"}");
        assertThat(TrailJson.result(new TrailVerifier.Result(true, 0, null, null)).toString())
                .isEqualTo("{\"valid\":true,\"checked\":0,\"firstInvalid\":null,\"reason\":null}");
    }
}
