package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The integration map's picture: well-formed SVG, one node per OPD, one arrow per pair, nothing executable. */
class IntegrationMapSvgTest {

    static final IntegrationMapSvg.Words WORDS = new IntegrationMapSvg.Words() {
        public String title() {
            return "Peta integrasi 1 Nov – 8 Nov";
        }

        public String legend() {
            return "Panah: pemanggil → penyedia";
        }

        public String noOpd() {
            return "tanpa OPD";
        }

        public String none() {
            return "Tidak ada";
        }

        public String tooltip(String from, String to, long calls, long failed) {
            return from + " → " + to + ": " + calls + " panggilan, " + failed + " gagal";
        }

        public String omitted(int drawn, int all) {
            return drawn + " dari " + all;
        }
    };

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Element> groups(Document doc, String kind) {
        List<Element> out = new ArrayList<>();
        NodeList all = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        for (int i = 0; i < all.getLength(); i++) {
            Element g = (Element) all.item(i);
            if (g.getAttribute("class").equals(kind)) {
                out.add(g);
            }
        }
        return out;
    }

    static void assertNothingExecutable(Document doc) {
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            assertThat(e.getLocalName()).isNotIn("script", "foreignObject", "style", "a", "image", "use", "iframe");
            for (int j = 0; j < e.getAttributes().getLength(); j++) {
                String name = e.getAttributes().item(j).getNodeName().toLowerCase();
                assertThat(name).doesNotStartWith("on").doesNotContain("href");
            }
        }
    }

    static final List<IntegrationMapSvg.Arrow> PAIRS = List.of(
            new IntegrationMapSvg.Arrow("dinkes", "disdukcapil", 120, 0),
            new IntegrationMapSvg.Arrow("disdukcapil", "dinkes", 7, 2),
            new IntegrationMapSvg.Arrow("dpmptsp", "bapenda", 40, 0),
            new IntegrationMapSvg.Arrow(null, "disdukcapil", 3, 0),
            new IntegrationMapSvg.Arrow("bapenda", "bapenda", 5, 0));

    @Test
    void oneNodePerOpdAndOneArrowPerPairWithItsCalls() throws Exception {
        Document doc = parse(IntegrationMapSvg.of(PAIRS, WORDS));

        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(groups(doc, "opd")).extracting(g -> g.getAttribute("data-opd"))
                .containsExactly("bapenda", "dinkes", "disdukcapil", "dpmptsp", "tanpa OPD");
        List<Element> calls = groups(doc, "call");
        assertThat(calls).hasSize(5);
        assertThat(calls).extracting(g -> g.getAttribute("data-from") + ">" + g.getAttribute("data-to") + "=" + g.getAttribute("data-calls"))
                .containsExactlyInAnyOrder("dinkes>disdukcapil=120", "disdukcapil>dinkes=7", "dpmptsp>bapenda=40",
                        "tanpa OPD>disdukcapil=3", "bapenda>bapenda=5");
        String text = doc.getDocumentElement().getTextContent();
        assertThat(text).contains("120", "40", "Peta integrasi 1 Nov – 8 Nov", "disdukcapil → dinkes: 7 panggilan, 2 gagal");
        assertNothingExecutable(doc);
    }

    @Test
    void theBusierPairHasTheThickerArrowAndAFailingOneIsRed() throws Exception {
        Document doc = parse(IntegrationMapSvg.of(PAIRS, WORDS));
        double busy = 0;
        double quiet = 0;
        for (Element g : groups(doc, "call")) {
            Element path = (Element) g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path").item(0);
            double width = Double.parseDouble(path.getAttribute("stroke-width"));
            if (g.getAttribute("data-calls").equals("120")) {
                busy = width;
            }
            if (g.getAttribute("data-calls").equals("3")) {
                quiet = width;
            }
            if (g.getAttribute("data-calls").equals("7")) {
                assertThat(path.getAttribute("stroke")).isEqualTo("#b3261e");
            }
        }
        assertThat(busy).isGreaterThan(quiet * 3);
    }

    @Test
    void theSameCallsDrawTheSamePictureInWhateverOrderTheyCome() {
        List<IntegrationMapSvg.Arrow> shuffled = new ArrayList<>(PAIRS);
        Collections.shuffle(shuffled, new Random(7));

        assertThat(IntegrationMapSvg.of(shuffled, WORDS)).isEqualTo(IntegrationMapSvg.of(PAIRS, WORDS));
    }

    @Test
    void hostileOpdNamesAreTextNotMarkup() throws Exception {
        String hostile = "<script>alert(1)</script>&amp;\"'\u0001x";
        String svg = IntegrationMapSvg.of(List.of(new IntegrationMapSvg.Arrow(hostile, "dinkes", 4, 0),
                new IntegrationMapSvg.Arrow("dinkes", "a&b<c>", 2, 1)), WORDS);
        Document doc = parse(svg);

        assertThat(svg).doesNotContain("<script").doesNotContain("&amp;\"");
        assertNothingExecutable(doc);
        assertThat(groups(doc, "opd")).extracting(g -> g.getAttribute("data-opd"))
                .containsExactlyInAnyOrder("<script>alert(1)</script>&amp;\"'\uFFFDx", "dinkes", "a&b<c>");
        assertThat(groups(doc, "call")).extracting(g -> g.getAttribute("data-from"))
                .contains("<script>alert(1)</script>&amp;\"'\uFFFDx");
    }

    @Test
    void sixtyOpdsStayWithinBoundsAndManyPairsAreCappedAtTheBusiest() throws Exception {
        List<IntegrationMapSvg.Arrow> pairs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            for (int j = 1; j <= 3; j++) {
                pairs.add(new IntegrationMapSvg.Arrow("opd-" + i, "opd-" + (i + j * 7) % 60, 1 + (i * 31 + j) % 500, i % 9 == 0 ? 1 : 0));
            }
        }
        String svg = IntegrationMapSvg.of(pairs, WORDS);
        Document doc = parse(svg);

        assertThat(groups(doc, "opd")).hasSize(60);
        assertThat(groups(doc, "call")).hasSize(180);
        assertThat(svg.length()).isLessThan(200_000);

        List<IntegrationMapSvg.Arrow> many = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            for (int j = 0; j < 60; j++) {
                many.add(new IntegrationMapSvg.Arrow("opd-" + i, "opd-" + j, 1 + i * 60 + j, 0));
            }
        }
        String capped = IntegrationMapSvg.of(many, WORDS);
        List<Element> drawn = groups(parse(capped), "call");
        assertThat(drawn).hasSize(IntegrationMapSvg.MAX_ARROWS);
        Set<Long> counts = new HashSet<>();
        drawn.forEach(g -> counts.add(Long.parseLong(g.getAttribute("data-calls"))));
        assertThat(counts).allMatch(c -> c > 3600 - IntegrationMapSvg.MAX_ARROWS);
        assertThat(capped).contains(IntegrationMapSvg.MAX_ARROWS + " dari 3600");
        assertThat(capped.length()).isLessThan(400_000);
    }

    @Test
    void aPeriodWithoutCallsSaysSo() throws Exception {
        Document doc = parse(IntegrationMapSvg.of(List.of(), WORDS));

        assertThat(groups(doc, "opd")).isEmpty();
        assertThat(doc.getDocumentElement().getTextContent()).contains("Tidak ada");
    }
}
