package id.gerbang.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/check-install.sh} over the repository's systemd unit and Prometheus files, and over units and
 * images that break a rule, so that the script is known to catch what it promises to. The image built by the {@code image}
 * profile is checked by the same script when it is present (it is not built by the default build: its
 * base image comes from a container registry).
 */
class InstallFilesIT {

    private static final Path DEPLOY = Paths.get(System.getProperty("gerbang.deploy", "../deploy")).toAbsolutePath().normalize();
    private static final Path UNIT = DEPLOY.resolve("systemd/gerbang.service");

    @TempDir
    Path dir;

    private record Run(int exit, String output) {}

    @Test
    void theRepositorysUnitAndTheImageWhenBuiltPassEveryCheck() throws Exception {
        Run run = check(UNIT, DEPLOY.resolve("../gateway/target/gerbang-image.tar"));
        assertThat(run.output()).contains("every check passed").doesNotContain("FAIL");
        assertThat(run.exit()).as(run.output()).isZero();
        if ("true".equals(System.getenv("CI"))) { // .ci/run installs promtool
            assertThat(run.output()).contains("ok:   promtool check config", "ok:   promtool test rules");
        }
    }

    @Test
    void aUnitRunningAsRootWithoutStrictProtectionIsRefusedWithEachFaultNamed() throws Exception {
        Path bad = edited(unitText()
                .replace("\nUser=gerbang\n", "\nUser=root\n")
                .replace("\nProtectSystem=strict\n", "\nProtectSystem=full\n")
                .replace("\nNoNewPrivileges=yes\n", "\n"));
        Run run = check(bad, null);
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("FAIL: User is 'root'", "FAIL: ProtectSystem is 'full'", "FAIL: NoNewPrivileges is ''");
    }

    @Test
    void aUnitWhoseDataDirectoryIsNotWritableOrWhoseHeapFillsItsMemoryIsRefused() throws Exception {
        Path bad = edited(unitText()
                .replace("\nReadWritePaths=/var/lib/gerbang\n", "\n")
                .replace("-Xmx512m", "-Xmx1g"));
        Run run = check(bad, null);
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("FAIL: ReadWritePaths", "FAIL: heap -Xmx1g leaves too little of MemoryMax=1G");
    }

    @Test
    void aUnitOutsideTheProductionProfileOrWithoutItsSecretsIsRefused() throws Exception {
        Path bad = edited(unitText()
                .replace("Environment=SPRING_PROFILES_ACTIVE=production\n", "")
                .replace("Environment=GERBANG_SECRETS_DIR=/etc/gerbang/secrets\n", "")
                .replace("EnvironmentFile=/etc/gerbang/gerbang.env\n", ""));
        Run run = check(bad, null);
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("FAIL: Environment=SPRING_PROFILES_ACTIVE=production is missing",
                "FAIL: Environment=GERBANG_SECRETS_DIR", "FAIL: EnvironmentFile is ''");
    }

    @Test
    void anImageWithTheUnitsSettingsAsANonRootUserPasses() throws Exception {
        Path image = image("10001:10001", "/var/lib/gerbang");
        Run run = check(UNIT, image);
        assertThat(run.output()).contains("ok:   image");
        assertThat(run.exit()).as(run.output()).isZero();
    }

    @Test
    void anImageRunningAsRootOrWithOtherSettingsThanTheUnitIsRefused() throws Exception {
        Path image = image("", "/data");
        Run run = check(UNIT, image);
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("FAIL: image: the image runs as ''",
                "FAIL: image: GERBANG_DATA_DIR is '/data' in the image and '/var/lib/gerbang' in the unit");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static String unitText() throws IOException {
        return Files.readString(UNIT);
    }

    private Path edited(String text) throws IOException {
        assertThat(text).isNotEqualTo(unitText());
        return Files.writeString(dir.resolve("edited.service"), text);
    }

    /** A tar with an image's manifest.json and config.json (as Jib writes them; no layers are needed). */
    private Path image(String user, String dataDir) throws IOException {
        String config = """
                {"architecture":"amd64","os":"linux","config":{
                 "Env":["SPRING_PROFILES_ACTIVE=production","GERBANG_DATA_DIR=%s","GERBANG_SECRETS_DIR=/etc/gerbang/secrets",
                        "GERBANG_ROUTES_DIRECTORY=/etc/gerbang/routes"],
                 "Entrypoint":["java","-XX:MaxRAMPercentage=60","-XX:+ExitOnOutOfMemoryError","-cp","@/app/jib-classpath-file","id.gerbang.gateway.GerbangApplication"],
                 "ExposedPorts":{"8080/tcp":{}},"User":"%s"}}""".formatted(dataDir, user);
        String manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"gerbang:test\"],\"Layers\":[]}]";
        Path tar = dir.resolve("image.tar");
        try (OutputStream out = Files.newOutputStream(tar)) {
            tarEntry(out, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
            tarEntry(out, "config.json", config.getBytes(StandardCharsets.UTF_8));
            out.write(new byte[1024]); // two empty blocks end the archive
        }
        return tar;
    }

    /** One regular file in ustar format. */
    private static void tarEntry(OutputStream out, String name, byte[] content) throws IOException {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644\0");
        put(header, 108, "0000000\0");
        put(header, 116, "0000000\0");
        put(header, 124, String.format("%011o\0", content.length));
        put(header, 136, String.format("%011o\0", 0));
        put(header, 148, "        "); // checksum counted as spaces
        header[156] = '0';
        put(header, 257, "ustar\0");
        put(header, 263, "00");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o\0 ", sum));
        out.write(header);
        out.write(content);
        out.write(new byte[(512 - content.length % 512) % 512]);
    }

    private static void put(byte[] header, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, at, b.length);
    }

    /** Runs the script; {@code image} null: a path where there is none, so that only the unit is checked. */
    private Run check(Path unit, Path image) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", DEPLOY.resolve("check-install.sh").toString(), unit.toString()));
        cmd.add(image == null ? dir.resolve("no-image.tar").toString() : image.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        p.getInputStream().transferTo(output);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the check ends").isTrue();
        return new Run(p.exitValue(), output.toString(StandardCharsets.UTF_8));
    }
}
