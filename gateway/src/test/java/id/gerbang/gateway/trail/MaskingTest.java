package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.routes.RouteDefinition;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What the trail stores of a call's path and query, with Indonesian data: residents of Kabupaten
 * Pelalawan (NIKs starting 1404), taxpayers, officials' e-mail addresses and mobile numbers.
 */
class MaskingTest {

    /** A Disdukcapil route that names everything: the parameter {@code nik} and all four shapes. */
    private static final Masking ALL = new Masking(List.of("nik"), List.of("nik", "npwp", "email", "phone"));
    /** The default: 16-digit NIKs only. */
    private static final Masking NIK_ONLY = new Masking(List.of(), List.of("nik"));

    @Nested
    class Nik {

        @Test
        void inAPathSegmentKeepsTheRegionAndMasksTheRest() {
            assertThat(NIK_ONLY.path("/api/disdukcapil/penduduk/1404015708900001"))
                    .isEqualTo("/api/disdukcapil/penduduk/140401**********");
        }

        @Test
        void inTheMiddleOfAPath() {
            assertThat(NIK_ONLY.path("/api/dinkes/pasien/1404014512850003/kunjungan"))
                    .isEqualTo("/api/dinkes/pasien/140401**********/kunjungan");
        }

        @Test
        void everyNikInAPathIsMasked() {
            assertThat(NIK_ONLY.path("/api/disdukcapil/keluarga/1404015708900001/anggota/1404016001120002"))
                    .isEqualTo("/api/disdukcapil/keluarga/140401**********/anggota/140401**********");
        }

        @Test
        void inAQueryValueByItsShape() {
            assertThat(NIK_ONLY.query("cari=1404015708900001&tahun=2024"))
                    .isEqualTo("cari=140401**********&tahun=2024");
        }

        @Test
        void longerDigitRunsAreNotNiks() {
            // 17, 18 and 20 digits: a bank account or an order number, not a NIK
            assertThat(ALL.path("/api/bapenda/transaksi/14040157089000011"))
                    .isEqualTo("/api/bapenda/transaksi/14040157089000011");
            assertThat(NIK_ONLY.query("rekening=140401570890000112&ref=14040157089000011223"))
                    .isEqualTo("rekening=140401570890000112&ref=14040157089000011223");
        }

        /**
         * A NIK after leading zeros is the same number to an upstream that reads it as one: masked, zeros and
         * region kept. Longer runs that do not begin with a zero (an 18-digit NIP, an account number) are
         * other numbers and stay.
         */
        @Test
        void aNikPaddedWithLeadingZerosIsMasked() {
            assertThat(NIK_ONLY.path("/api/disdukcapil/penduduk/01404015708900001"))
                    .isEqualTo("/api/disdukcapil/penduduk/0140401**********");
            assertThat(NIK_ONLY.query("nik_ref=0001404015708900001")).isEqualTo("nik_ref=000140401**********");
            assertThat(NIK_ONLY.shapes("01404015708900001")).isEqualTo("0140401**********");
            assertThat(NIK_ONLY.shapes("197805122005012003")).as("an NIP").isEqualTo("197805122005012003");
        }

        /** Fullwidth digits, percent-encoded as UTF-8 as a client sends them: {@code %EF%BC%91} is "１". */
        @Test
        void aNikInFullwidthDigitsPercentEncodedIsMasked() {
            String fullwidth = "%EF%BC%91%EF%BC%94%EF%BC%90%EF%BC%94%EF%BC%90%EF%BC%91%EF%BC%95%EF%BC%97"
                    + "%EF%BC%90%EF%BC%98%EF%BC%99%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%91";
            assertThat(NIK_ONLY.path("/api/disdukcapil/penduduk/" + fullwidth))
                    .isEqualTo("/api/disdukcapil/penduduk/140401**********");
            assertThat(NIK_ONLY.query("cari=" + fullwidth.toLowerCase(java.util.Locale.ROOT) + "&tahun=2024"))
                    .isEqualTo("cari=140401**********&tahun=2024");
        }

        @Test
        void aNikInDigitsOfAnyScriptIsMasked() {
            assertThat(NIK_ONLY.shapes("nik １４０４０１５７０８９００００１")).isEqualTo("nik 140401**********");
            assertThat(NIK_ONLY.shapes("١٤٠٤٠١٥٧٠٨٩٠٠٠٠١"))
                    .as("Arabic-Indic digits").isEqualTo("140401**********");
            assertThat(NIK_ONLY.shapes("14040157%30%38900001")).as("percent-encoded ASCII digits")
                    .isEqualTo("140401**********");
            assertThat(NIK_ONLY.shapes("1404015708900001\uD835\uDFCF"))
                    .as("a 17th digit outside the BMP (mathematical bold one): not a NIK").isEqualTo("14040157089000011");
        }

        @Test
        void textWithoutDigitsOfOtherScriptsIsLeftAlone() {
            assertThat(Masking.asciiDigits("/api/x%20y/%E2%82%AC?a=%C3%A9")).isEqualTo("/api/x%20y/%E2%82%AC?a=%C3%A9");
            assertThat(Masking.asciiDigits("jalan café №5 %")).isEqualTo("jalan café №5 %");
            assertThat(Masking.asciiDigits("%EF%BC")).as("a cut-off escape").isEqualTo("%EF%BC");
        }

        @Test
        void shorterDigitRunsAreNotNiks() {
            assertThat(NIK_ONLY.path("/api/disdukcapil/kk/140401570890001")) // 15 digits
                    .isEqualTo("/api/disdukcapil/kk/140401570890001");
        }
    }

    @Nested
    class QueryParametersNamedForMasking {

        @Test
        void valueMaskedWholeWhateverItsShape() {
            assertThat(ALL.query("nik=1404015708900001")).isEqualTo("nik=***");
            assertThat(ALL.query("nik=12345&tahun=2024")).isEqualTo("nik=***&tahun=2024");
            assertThat(ALL.query("nama=Siti&nik=Siti%20Rahmawati")).isEqualTo("nama=Siti&nik=***");
        }

        @Test
        void nameMatchedWhateverItsLetterCase() {
            assertThat(ALL.query("NIK=12345")).isEqualTo("NIK=***");
        }

        @Test
        void percentEncodedNameIsMatchedAndKeptAsSent() {
            assertThat(ALL.query("n%69k=1404015708900001")).isEqualTo("n%69k=***");
            assertThat(ALL.query("%6E%49%4B=12345")).isEqualTo("%6E%49%4B=***");
        }

        @Test
        void repeatedParameterMaskedEveryTime() {
            assertThat(ALL.query("nik=1&nik=2")).isEqualTo("nik=***&nik=***");
        }

        @Test
        void otherParametersWithSimilarNamesAreLeftToTheShapes() {
            assertThat(ALL.query("nikah=2019&no_nik=12345")).isEqualTo("nikah=2019&no_nik=12345");
        }
    }

    @Nested
    class Npwp {

        @Test
        void plainFifteenDigits() {
            assertThat(ALL.query("npwp=012345678901000")).isEqualTo("npwp=***NPWP***");
            assertThat(ALL.path("/api/bapenda/status-pajak/012345678901000"))
                    .isEqualTo("/api/bapenda/status-pajak/***NPWP***");
        }

        @Test
        void punctuated() {
            assertThat(ALL.query("npwp=01.234.567.8-901.000")).isEqualTo("npwp=***NPWP***");
            assertThat(ALL.path("/api/bapenda/status-pajak/01.234.567.8-901.000"))
                    .isEqualTo("/api/bapenda/status-pajak/***NPWP***");
        }

        @Test
        void sixteenDigitNpwpIsANikAndMaskedAsOne() {
            assertThat(ALL.query("npwp=1404015708900001")).isEqualTo("npwp=140401**********");
        }
    }

    @Nested
    class Email {

        @Test
        void percentEncodedAt() {
            assertThat(ALL.query("email=siti.rahmawati%40pelalawankab.go.id"))
                    .isEqualTo("email=***%40pelalawankab.go.id");
        }

        @Test
        void literalAt() {
            assertThat(ALL.query("email=siti.rahmawati@pelalawankab.go.id"))
                    .isEqualTo("email=***@pelalawankab.go.id");
            assertThat(ALL.path("/api/bkpsdm/pegawai/siti.rahmawati@pelalawankab.go.id"))
                    .isEqualTo("/api/bkpsdm/pegawai/***@pelalawankab.go.id");
        }
    }

    @Nested
    class Phone {

        @Test
        void leadingZero() {
            assertThat(ALL.query("hp=081234567890")).isEqualTo("hp=***PHONE***");
        }

        @Test
        void internationalWithPlus() {
            assertThat(ALL.query("hp=+6281234567890")).isEqualTo("hp=***PHONE***");
            assertThat(ALL.query("hp=%2B6281234567890")).isEqualTo("hp=***PHONE***");
        }

        @Test
        void internationalWithoutPlus() {
            assertThat(ALL.query("hp=6281234567890")).isEqualTo("hp=***PHONE***");
            assertThat(ALL.path("/api/dinkes/pasien/by-hp/6281234567890"))
                    .isEqualTo("/api/dinkes/pasien/by-hp/***PHONE***");
        }
    }

    @Nested
    class Configuration {

        @Test
        void shapeTheRouteDoesNotNameIsNotMasked() {
            String query = "email=siti.rahmawati%40pelalawankab.go.id&hp=081234567890&npwp=012345678901000";
            assertThat(NIK_ONLY.query(query)).isEqualTo(query);
            assertThat(new Masking(List.of(), List.of("email")).query("hp=081234567890&nik=1404015708900001"))
                    .isEqualTo("hp=081234567890&nik=1404015708900001");
        }

        @Test
        void noAuditSettingsMasksNiksOnly() {
            Masking none = Masking.of(null);
            assertThat(none.path("/api/disdukcapil/penduduk/1404015708900001"))
                    .isEqualTo("/api/disdukcapil/penduduk/140401**********");
            assertThat(none.query("nik=12345&email=siti.rahmawati%40pelalawankab.go.id&hp=081234567890"))
                    .isEqualTo("nik=12345&email=siti.rahmawati%40pelalawankab.go.id&hp=081234567890");
        }

        @Test
        void auditSettingsWithoutPatternsMaskNiks() {
            Masking m = Masking.of(new RouteDefinition.Audit(null, List.of("nama"), null));
            assertThat(m.query("nama=Siti%20Rahmawati&cari=1404015708900001"))
                    .isEqualTo("nama=***&cari=140401**********");
        }

        @Test
        void auditSettingsNamingPatternsMaskOnlyThose() {
            Masking m = Masking.of(new RouteDefinition.Audit(null, null, List.of("phone")));
            assertThat(m.query("hp=081234567890&cari=1404015708900001"))
                    .isEqualTo("hp=***PHONE***&cari=1404015708900001");
        }
    }

    @Nested
    class QueryShape {

        @Test
        void emptyParametersAndEmptyPiecesAreKept() {
            assertThat(ALL.query("a=&&b=1&")).isEqualTo("a=&&b=1&");
            assertThat(ALL.query("&&")).isEqualTo("&&");
            assertThat(ALL.query("")).isEqualTo("");
            assertThat(ALL.query("flag&nik=1404015708900001&=x")).isEqualTo("flag&nik=***&=x");
        }

        @Test
        void absentPathAndQueryStayAbsent() {
            assertThat(ALL.path(null)).isNull();
            assertThat(ALL.query(null)).isNull();
        }

        @Test
        void nothingPersonalIsLeftAlone() {
            assertThat(ALL.query("tahun=2024&halaman=2&urut=nama")).isEqualTo("tahun=2024&halaman=2&urut=nama");
            assertThat(ALL.path("/api/dpmptsp/izin/IMB-2024-000123")).isEqualTo("/api/dpmptsp/izin/IMB-2024-000123");
        }
    }

    /**
     * The pipeline treats {@code ;} as a query separator when it looks for {@code access_token}
     * ({@code ApiPipeline.hasQueryToken}), and upstreams may too: a parameter named for masking that
     * follows a {@code ;} is masked too.
     */
    @Test
    void parameterNamedForMaskingAfterASemicolonIsMaskedToo() {
        assertThat(ALL.query("tahun=2024;nik=Siti%20Rahmawati")).doesNotContain("Siti");
    }

    /**
     * A NIK with one digit percent-encoded ({@code %31} is {@code 1}) is the same NIK to the upstream, which
     * decodes it, and the gateway forwards it as sent (nothing about a path is rewritten): the masking
     * decodes unreserved characters before it looks for shapes.
     */
    @Test
    void percentEncodedNikIsMaskedToo() {
        assertThat(NIK_ONLY.path("/api/disdukcapil/penduduk/%31404015708900001"))
                .doesNotContain("5708900001");
        assertThat(NIK_ONLY.query("cari=%314040157089%30%30001")).doesNotContain("57089");
    }
}
