package id.gerbang.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteDirectoryTest {

    private final RouteDefinitionReader reader = new RouteDefinitionReader();
    private final RouteDirectory directory = new RouteDirectory(reader);

    @TempDir
    Path dir;

    @Test
    void loadsEveryDefinitionFileByNameSkippingOthers() throws IOException {
        write("disdukcapil.yaml", RouteFixtures.PENDUDUK_YAML);
        write("bapenda.json", reader.toJson(RouteFixtures.minimal("bapenda-pbb", "/bapenda/pbb")));
        write("dinkes.yml", reader.toYaml(RouteFixtures.minimal("dinkes-simpus", "/dinkes/simpus"))
                + "---\n" + reader.toYaml(RouteFixtures.minimal("dinkes-pasien", "/dinkes/pasien")));
        write(".draft.yaml", "not: a route");
        write("README.md", "# routes");
        Files.createDirectories(dir.resolve("old"));
        write("old/retired.yaml", "bogus: true");

        assertThat(directory.read(dir)).extracting(s -> s.definition().id(), SourcedDefinition::source)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("bapenda-pbb", "bapenda.json"),
                        org.assertj.core.groups.Tuple.tuple("dinkes-simpus", "dinkes.yml"),
                        org.assertj.core.groups.Tuple.tuple("dinkes-pasien", "dinkes.yml"),
                        org.assertj.core.groups.Tuple.tuple("disdukcapil-penduduk", "disdukcapil.yaml"));
    }

    @Test
    void reportsEveryUnreadableFileWithItsName() throws IOException {
        write("a-disdukcapil.yaml", RouteFixtures.PENDUDUK_YAML);
        write("broken.yml", "id: x\n  owner: y\n");
        write("c-unknown.yaml", RouteFixtures.PENDUDUK_YAML + "bogus: 1\n");
        write("d-copy.json", "{\"id\": ");

        InvalidRouteException e = catchThrowableOfType(() -> directory.read(dir), InvalidRouteException.class);

        assertThat(e.getMessage()).startsWith(dir.toString());
        assertThat(e.violations()).extracting(Violation::field)
                .containsExactly("broken.yml: id", "c-unknown.yaml: bogus", "d-copy.json: id");
        assertThat(e.violations().get(0).message()).startsWith("malformed YAML");
        assertThat(e.violations().get(1).message()).contains("unknown field");
    }

    @Test
    void validatesAWholeSetNamingTheSourceOfEachProblem() throws IOException {
        write("a-disdukcapil.yaml", RouteFixtures.PENDUDUK_YAML);
        write("bapenda.yaml", RouteFixtures.PENDUDUK_YAML
                .replace("id: disdukcapil-penduduk", "id: Bapenda")
                .replace("path: /disdukcapil/penduduk", "path: /bapenda/pbb")
                .replace("http://127.0.0.1:8080", "ftp://127.0.0.1"));
        write("c-kk.json", reader.toJson(RouteFixtures.minimal("disdukcapil-kk", "/disdukcapil/penduduk/kk")));
        write("d-copy.json", reader.toJson(RouteFixtures.minimal("disdukcapil-penduduk", "/disdukcapil/lain")));

        var violations = new RouteValidator(RouteFixtures.loopbackPolicy()).validateAll(directory.read(dir));

        assertThat(violations).extracting(Violation::field).containsExactly(
                "bapenda.yaml: id",
                "bapenda.yaml: upstream.url",
                "c-kk.json: path",
                "d-copy.json: id");
        assertThat(violations.get(2).message()).contains("disdukcapil-penduduk");
    }

    @Test
    void refusesAMissingDirectory() {
        Path missing = dir.resolve("tidak-ada");

        assertThatThrownBy(() -> directory.read(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tidak-ada");
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }
}
