package id.gerbang.gateway.registry;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.RouteDirectory;
import id.gerbang.routes.SourcedDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Where route definitions come from at start-up: the sandbox's own routes (standalone default only)
 * and the files of {@code gerbang.routes.directory}. Reading only; validation is the registry's.
 */
@Component
public class RouteSources {

    /** The sandbox routes name this port; it is replaced when the sandbox runs on another. */
    static final int SANDBOX_DEFAULT_PORT = 18080;

    /** The secret the sandbox route {@code dpmptsp-perizinan} names, and the demo value its sandbox service expects. */
    static final String SANDBOX_SECRET = "sandbox-sicantik-key";
    static final String SANDBOX_SECRET_VALUE = "sandbox-demo-key";

    private final GerbangProperties properties;
    private final RouteDefinitionReader reader;
    private final Path secretsDir;

    public RouteSources(GerbangProperties properties, RouteDefinitionReader reader,
            id.gerbang.gateway.credentials.SecretsProperties secrets) {
        this.properties = properties;
        this.reader = reader;
        this.secretsDir = secrets.dir();
    }

    /** Puts the sandbox's demo API key in the secrets directory, unless a value is there already. */
    private void sandboxSecret() {
        if (secretsDir == null) {
            return;
        }
        try {
            java.nio.file.Files.createDirectories(secretsDir);
            Path file = secretsDir.resolve(SANDBOX_SECRET);
            if (!java.nio.file.Files.exists(file)) {
                java.nio.file.Files.writeString(file, SANDBOX_SECRET_VALUE + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sandbox's demo secret in " + secretsDir, e);
        }
    }

    /** @throws id.gerbang.routes.InvalidRouteException naming every file that cannot be read */
    public List<SourcedDefinition> load() {
        List<SourcedDefinition> all = new ArrayList<>();
        if (properties.sandbox().enabled()) {
            sandboxSecret();
            all.addAll(sandboxRoutes());
        }
        Path dir = properties.routes().directory();
        if (dir != null) {
            all.addAll(new RouteDirectory(reader).read(dir));
        }
        return all;
    }

    private List<SourcedDefinition> sandboxRoutes() {
        try {
            Resource[] files = new PathMatchingResourcePatternResolver().getResources("classpath:sandbox/routes/*.yaml");
            Arrays.sort(files, Comparator.comparing(Resource::getFilename));
            List<SourcedDefinition> out = new ArrayList<>();
            for (Resource f : files) {
                String source = "sandbox/" + f.getFilename();
                for (RouteDefinition d : reader.readYaml(f.getContentAsString(StandardCharsets.UTF_8), source)) {
                    out.add(new SourcedDefinition(onSandboxPort(d, properties.sandbox().port()), source));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sandbox routes", e);
        }
    }

    private static RouteDefinition onSandboxPort(RouteDefinition d, int port) {
        if (port == SANDBOX_DEFAULT_PORT || d.upstream() == null) {
            return d; // a composite calls the sandbox through its parts' routes; a mock calls nothing
        }
        String url = d.upstream().url().replace(":" + SANDBOX_DEFAULT_PORT + "/", ":" + port + "/");
        return d.withUpstream(d.upstream().withUrl(url));
    }
}
