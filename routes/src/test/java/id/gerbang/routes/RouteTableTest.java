package id.gerbang.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private final RouteTable table = new RouteTable(List.of(
            route("acc-echo", "/acc/echo"),
            route("acc", "/acc"),
            route("disdukcapil-kk", "/disdukcapil/penduduk/kk"),
            route("disdukcapil-penduduk", "/disdukcapil/penduduk")));

    @Test
    void matchesWholeSegmentsAndReturnsTheRest() {
        assertMatch("/acc/echo", "acc-echo", "");
        assertMatch("/acc/echo/x", "acc-echo", "/x");
        assertMatch("/acc/echo/x/y", "acc-echo", "/x/y");
        assertMatch("/acc/echoes", "acc", "/echoes");
    }

    @Test
    void longestPrefixWins() {
        assertMatch("/disdukcapil/penduduk/1404012345678901", "disdukcapil-penduduk", "/1404012345678901");
        assertMatch("/disdukcapil/penduduk/kk/1404", "disdukcapil-kk", "/1404");
        assertMatch("/disdukcapil/penduduk/kkx", "disdukcapil-penduduk", "/kkx");
    }

    @Test
    void isCaseSensitive() {
        assertThat(table.match("/ACC/echo")).isNull();
        assertMatch("/acc/Echo", "acc", "/Echo");
    }

    @Test
    void returnsNullWhenNoRouteServesThePath() {
        assertThat(table.match("/accounts")).isNull();
        assertThat(table.match("/disdukcapil")).isNull();
        assertThat(table.match("/")).isNull();
        assertThat(table.match("")).isNull();
        assertThat(RouteTable.EMPTY.match("/acc")).isNull();
    }

    private void assertMatch(String path, String routeId, String rest) {
        RouteTable.Match m = table.match(path);
        assertThat(m).as(path).isNotNull();
        assertThat(m.route().id()).isEqualTo(routeId);
        assertThat(m.rest()).isEqualTo(rest);
    }

    private static Route route(String id, String path) {
        return Route.from(RouteFixtures.minimal(id, path), 1);
    }
}
