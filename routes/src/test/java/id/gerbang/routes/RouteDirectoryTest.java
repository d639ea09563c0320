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
    private final RouteDirectory directory = new RouteDirectory(reader, new RouteValidator(RouteFixtures.loopbackPolicy()));

    @TempDir
    Path dir;

    @Test
    void loadsEveryDefinitionFileByNameSkippingOthers() throws IOException {
        write("disdukcapil.yaml", RouteFixtures.PENDUDUK_YAML);
        write("bapenda.json", reader.toJson(RouteFixtures.minimal("bapenda-pbb", "/bapenda/pbb")));
        write("dinkes.yml", reader.toYaml(RouteFixtures.minimal("dinkes-simpus", "/dinkes/simpus"))
                + reader.toYaml(RouteFixtures.minimal("dinkes-pasien", "/dinkes/pasien")));
        write(".draft.yaml", "not: a route");
        write("README.md", "# routes");
        Files.createDirectories(dir.resolve("old"));
        write("old/retired.yaml", "bogus: true");

        assertThat(directory.load(dir)).extracting(RouteDefinition::id)
                .containsExactly("bapenda-pbb", "dinkes-simpus", "dinkes-pasien", "disdukcapil-penduduk");
    }

    @Test
    void reportsEveryProblemOfEveryFileWithItsName() throws IOException {
        write("a-disdukcapil.yaml", RouteFixtures.PENDUDUK_YAML);
        write("bapenda.yaml", RouteFixtures.PENDUDUK_YAML
                .replace("id: disdukcapil-penduduk", "id: Bapenda")
                .replace("path: /disdukcapil/penduduk", "path: /bapenda/pbb")
                .replace("http://127.0.0.1:8080", "ftp://127.0.0.1"));
        write("broken.yml", "id: x\n  owner: y\n");
        write("c-kk.json", reader.toJson(RouteFixtures.minimal("disdukcapil-kk", "/disdukcapil/penduduk/kk")));
        write("d-copy.json", reader.toJson(RouteFixtures.minimal("disdukcapil-penduduk", "/disdukcapil/lain")));

        InvalidRouteException e = catchThrowableOfType(() -> directory.load(dir), InvalidRouteException.class);

        assertThat(e.getMessage()).startsWith(dir.toString());
        assertThat(e.violations()).extracting(Violation::field).containsExactly(
                "bapenda.yaml: id",
                "bapenda.yaml: upstream.url",
                "broken.yml: id",
                "c-kk.json: path",
                "d-copy.json: id");
        assertThat(e.violations().get(2).message()).startsWith("malformed YAML");
        assertThat(e.violations().get(3).message()).contains("disdukcapil-penduduk");
    }

    @Test
    void refusesAMissingDirectory() {
        Path missing = dir.resolve("tidak-ada");

        assertThatThrownBy(() -> directory.load(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tidak-ada");
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }
}
