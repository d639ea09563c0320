package id.gerbang.gateway.witness;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.DemoTsa;
import id.gerbang.gateway.anchor.InMemoryMerkleNodeStore;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteSigner;
import id.gerbang.gateway.anchor.SignedNote;
import id.gerbang.gateway.anchor.TimestampClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The witness against a WireMock gateway serving the contract's answers (docs/trail.md, "Witnesses"),
 * made with the real anchor classes: trees, signed notes, tokens of the demo TSA.
 */
class WitnessTest {

    static DemoTsa tsa;
    static DemoTsa otherTsa;
    static TimestampClient stamper;
    static TimestampClient otherStamper;
    static final ObjectMapper JSON = new ObjectMapper();

    WireMockServer gateway;
    @TempDir
    Path dir;
    Path store;
    Path caPem;
    /** The keys /audit/keys lists, in order. */
    final List<String> listedKeys = new ArrayList<>();
    String out;
    String err;

    @BeforeAll
    static void startTsas() {
        tsa = DemoTsa.start();
        otherTsa = DemoTsa.start();
        stamper = new TimestampClient(tsa.url(), null, null, tsa.caCertificate(), 1, Duration.ofMillis(10), Duration.ofSeconds(10));
        otherStamper = new TimestampClient(otherTsa.url(), null, null, otherTsa.caCertificate(), 1, Duration.ofMillis(10), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stopTsas() {
        tsa.close();
        otherTsa.close();
    }

    @BeforeEach
    void start() throws Exception {
        gateway = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        gateway.start();
        store = dir.resolve("store");
        caPem = dir.resolve("tsa-ca.pem");
        Files.writeString(caPem, DemoTsa.pem(tsa.caCertificate()));
    }

    @AfterEach
    void stop() {
        gateway.stop();
    }

    // ---- an honest chain ----

    @Test
    void anHonestChainIsFollowedAcrossRunsForEveryNodeAndEveryCheckpointIsKeptWithItsToken() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(5);
        FakeNode b = new FakeNode("node-b").grow(3);
        publish(a, b);
        serve(a, a.sign());
        serve(b, b.sign());

        assertThat(witness()).as(err).isZero();
        assertThat(out).contains("node-a: OK size 5 signed", "first sight", "key gerbang/node-a+" + a.key.verifier().keyIdHex() + " pinned on first sight",
                "stamped ").contains("node-b: OK size 3 signed");
        assertThat(store.resolve("node-a/5.checkpoint")).exists();
        assertThat(store.resolve("node-a/5.tsr")).exists();
        assertThat(Files.readString(store.resolve("node-a/pinned-keys"))).contains(a.key.verifier().verifierKey());

        a.grow(7);
        SignedNote a12 = a.sign();
        serve(a, a12);
        assertThat(witness()).as(err).isZero();
        assertThat(out).contains("node-a: OK size 12 signed", "grown from 5 (consistent)").contains("node-b: OK size 3", "unchanged since the last run");
        gateway.verify(getRequestedFor(urlEqualTo("/audit/proofs/consistency?node=node-a&from=5&to=12")));
        assertThat(store.resolve("node-a/12.checkpoint")).hasContent(a12.toString());
        assertThat(store.resolve("node-a/5.checkpoint")).exists();

        a.grow(1);
        b.grow(20);
        serve(a, a.sign());
        serve(b, b.sign());
        assertThat(witness()).as(err).isZero();
        assertThat(out).contains("node-a: OK size 13", "grown from 12").contains("node-b: OK size 23", "grown from 3");
        assertThat(err).isEmpty();
    }

    @Test
    void aNodeWithoutACheckpointYetIsNoProblemAndTheTokenIsAskedWithTheAuditorsToken() throws Exception {
        FakeNode a = new FakeNode("node-a");
        publish(a);
        gateway.stubFor(get("/audit/checkpoints/node-a/latest").willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/problem+json").withBody("{\"code\":\"RECORD_NOT_FOUND\"}")));
        assertThat(witness()).as(err).isZero();
        assertThat(out).contains("node-a: OK no checkpoint signed yet");
        gateway.verify(getRequestedFor(urlEqualTo("/audit/checkpoints/node-a/latest")).withHeader("Authorization", equalTo("Bearer witness-token")));
    }

    @Test
    void withAClientIdTheWitnessFetchesItsOwnTokenByClientCredentials() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(2);
        publish(a);
        serve(a, a.sign());
        gateway.stubFor(post("/oauth2/token").willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"fresh-token\",\"token_type\":\"Bearer\",\"expires_in\":300}")));

        int status = Witness.run(new String[] {"--gateway", gateway.baseUrl(), "--store", store.toString(), "--tsa-cert", caPem.toString(),
                "--client-id", "inspektorat-witness"}, Map.of("GERBANG_WITNESS_CLIENT_SECRET", "s3cret"), print(true), print(false));
        collect();
        assertThat(status).as(err).isZero();
        gateway.verify(postRequestedFor(urlEqualTo("/oauth2/token"))
                .withHeader("Authorization", equalTo("Basic " + Base64.getEncoder().encodeToString("inspektorat-witness:s3cret".getBytes())))
                .withRequestBody(equalTo("grant_type=client_credentials")));
        gateway.verify(getRequestedFor(urlPathEqualTo("/audit/checkpoints")).withHeader("Authorization", equalTo("Bearer fresh-token")));
    }

    // ---- what a witness is for ----

    @Test
    void aChainThatShrankIsReportedWithTheNodeAndBothSizes() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(10);
        publish(a);
        serve(a, a.sign());
        assertThat(witness()).isZero();

        FakeNode cut = new FakeNode("node-a", a.key).grow(6); // the same leaves, the last four removed
        serve(cut, cut.sign());
        assertThat(witness()).isEqualTo(1);
        assertThat(out).contains("node-a: ALARM SHRANK: the latest checkpoint has size 6", "smaller than the size 10");
        assertThat(err).contains("node-a: ALARM SHRANK");
        assertThat(store.resolve("node-a/10.checkpoint")).exists();
        assertThat(Files.list(store.resolve("node-a")).map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("conflict-6-"));

        assertThat(witness()).as("the alarm stays until the auditor acts").isEqualTo(1);
    }

    @Test
    void aCheckpointOfAnotherRootAtTheSameSizeIsAForkNamingBothRoots() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(10);
        publish(a);
        SignedNote first = a.sign();
        serve(a, first);
        assertThat(witness()).isZero();

        FakeNode forked = new FakeNode("node-a", a.key).grow(9).growOther(1);
        serve(forked, forked.sign());
        assertThat(witness()).isEqualTo(1);
        assertThat(out).contains("node-a: ALARM FORKED: two checkpoints of size 10 with different roots",
                Base64.getEncoder().encodeToString(a.tree.rootHash()), Base64.getEncoder().encodeToString(forked.tree.rootHash()));
        assertThat(store.resolve("node-a/10.checkpoint")).hasContent(first.toString());
    }

    @Test
    void aRewrittenChainWhoseConsistencyProofFailsIsReportedWithBothSizes() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(10);
        publish(a);
        serve(a, a.sign());
        assertThat(witness()).isZero();

        // an insider rewrote record 4 and recomputed the tree; the node signs what the database holds
        FakeNode rewritten = new FakeNode("node-a", a.key).grow(3).growOther(1).grow(11);
        serve(rewritten, rewritten.sign());
        assertThat(witness()).isEqualTo(1);
        assertThat(out).contains("node-a: ALARM REWRITTEN: the checkpoint of size 15", "does not extend the size 10",
                "the consistency proof from size 10 to 15 does not verify");
        assertThat(store.resolve("node-a/15.checkpoint")).doesNotExist();

        // nor does a proof made from the honest tree save the rewritten root
        a.grow(5);
        serveProofs("node-a", a.tree);
        assertThat(witness()).isEqualTo(1);
        assertThat(out).contains("REWRITTEN");
    }

    @Test
    void aCheckpointSignedByAKeyThatWasNeverIntroducedIsReported() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(4);
        publish(a);
        serve(a, a.sign());
        assertThat(witness()).isZero();

        NoteSigner usurper = signer("gerbang/node-a");
        listedKeys.add(usurper.verifier().verifierKey()); // the database now lists it: no matter
        stubKeys();
        a.grow(2);
        serve(a, a.sign(usurper));
        assertThat(witness()).isEqualTo(1);
        assertThat(out).contains("node-a: ALARM UNPINNED KEY: the checkpoint of size 6", "gerbang/node-a+" + usurper.verifier().keyIdHex(),
                "not by the pinned gerbang/node-a+" + a.key.verifier().keyIdHex());
        assertThat(Files.readString(store.resolve("node-a/pinned-keys"))).doesNotContain(usurper.verifier().verifierKey());
    }

    @Test
    void aKeyIntroducedByACheckpointSignedWithThePinnedKeyTooIsPinnedEvenWhenTheWitnessMissedThatCheckpoint() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(4);
        publish(a);
        serve(a, a.sign());
        assertThat(witness()).isZero();

        NoteSigner next = signer("gerbang/node-a");
        listedKeys.add(next.verifier().verifierKey());
        stubKeys();
        a.grow(1);
        SignedNote introduction = a.sign(a.key, next);
        a.grow(2);
        SignedNote byNewKeyOnly = a.sign(next);
        serve(a, byNewKeyOnly, List.of(introduction, byNewKeyOnly)); // the witness did not run in between
        assertThat(witness()).as(out + err).isZero();
        assertThat(out).contains("node-a: OK size 7", "introduced by the checkpoint of size 5 and pinned");
        assertThat(Files.readString(store.resolve("node-a/pinned-keys"))).contains(next.verifier().verifierKey());
    }

    @Test
    void aNoteWhosePinnedSignatureDoesNotVerifyIsReported() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(4);
        publish(a);
        serve(a, a.sign());
        assertThat(witness()).isZero();

        a.grow(1);
        SignedNote honest = a.sign();
        String forged = honest.toString().replaceFirst("\n5\n", "\n6\n"); // another size under the same signature
        serveRaw(a, forged.getBytes(StandardCharsets.UTF_8), null);
        assertThat(witness()).isEqualTo(1);
        assertThat(out).contains("node-a: ALARM BAD SIGNATURE", "pinned key gerbang/node-a+" + a.key.verifier().keyIdHex(), "altered or forged");
    }

    // ---- the timestamps ----

    @Test
    void aTokenOverOtherDataOrFromAnotherTsaIsReported() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(3);
        publish(a);
        SignedNote note = a.sign();
        serveRaw(a, bytes(note), stamper.timestamp("something else".getBytes(StandardCharsets.UTF_8)).token());
        assertThat(witness()).isEqualTo(1);
        assertThat(out).contains("node-a: ALARM BAD TIMESTAMP: the token of the checkpoint of size 3", "imprint");

        serveRaw(a, bytes(note), otherStamper.timestamp(bytes(note)).token());
        assertThat(witness()).isEqualTo(1);
        assertThat(out).contains("node-a: ALARM BAD TIMESTAMP", "neither the trusted certificate");

        serveRaw(a, bytes(note), "not a token".getBytes(StandardCharsets.UTF_8));
        assertThat(witness()).isEqualTo(1);
        assertThat(out).contains("node-a: ALARM BAD TIMESTAMP", "not an RFC 3161 TimeStampToken");
    }

    @Test
    void aCheckpointNotYetStampedIsKeptAndReportedIncompleteUntilItsTokenComes() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(3);
        publish(a);
        SignedNote note = a.sign();
        serveRaw(a, bytes(note), null);
        assertThat(witness()).isEqualTo(3);
        assertThat(out).contains("node-a: INCOMPLETE size 3", "no timestamp token yet");
        assertThat(store.resolve("node-a/3.checkpoint")).exists();
        assertThat(store.resolve("node-a/3.tsr")).doesNotExist();

        serveRaw(a, bytes(note), stamper.timestamp(bytes(note)).token());
        assertThat(witness()).as(err).isZero();
        assertThat(store.resolve("node-a/3.tsr")).exists();
    }

    @Test
    void withoutATsaCertificateTokensAreKeptAndTheRunSaysTheyWereNotChecked() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(3);
        publish(a);
        serve(a, a.sign());
        int status = Witness.run(new String[] {"--gateway", gateway.baseUrl(), "--store", store.toString(), "--token", "witness-token"},
                Map.of(), print(true), print(false));
        collect();
        assertThat(status).isZero();
        assertThat(out).contains("timestamp kept, not checked (no --tsa-cert)");
        assertThat(err).contains("give --tsa-cert");
    }

    // ---- hostile or broken answers ----

    @Test
    void hostileAnswersAreClearErrorsAndNothingIsKept() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(3);
        publish(a);
        SignedNote note = a.sign();
        serve(a, note);

        gateway.stubFor(get("/audit/checkpoints/node-a/latest").willReturn(aResponse().withHeader("Content-Type", "text/plain")
                .withBody(new byte[GatewayClient.MAX_NOTE_BYTES + 1])));
        assertThat(witness()).isEqualTo(2);
        assertThat(out).contains("node-a: ERROR not checked: GET /audit/checkpoints/node-a/latest answered more than 65536 bytes");

        gateway.stubFor(get("/audit/checkpoints/node-a/latest").willReturn(aResponse().withHeader("Content-Type", "text/plain")
                .withBody("gerbang/node-a\nnot a checkpoint\n")));
        assertThat(witness()).isEqualTo(2);
        assertThat(out).contains("answered no checkpoint");

        gateway.stubFor(get("/audit/checkpoints/node-a/latest").willReturn(aResponse().withHeader("Content-Type", "text/html")
                .withBody(note.toString())));
        assertThat(witness()).isEqualTo(2);
        assertThat(out).contains("answered \"text/html\", not text/plain");

        serve(a, note);
        gateway.stubFor(get(urlPathEqualTo("/audit/checkpoints")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody("[{\"note\":\"x\",\"note\":\"y\"}]")));
        assertThat(witness()).isEqualTo(2);
        assertThat(out).contains("answered malformed JSON", "Duplicate field");

        gateway.stubFor(get(urlPathEqualTo("/audit/checkpoints")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody("[" + "[".repeat(100) + "]".repeat(100) + "]")));
        assertThat(witness()).isEqualTo(2);
        assertThat(out).contains("answered malformed JSON");

        gateway.stubFor(get(urlPathEqualTo("/audit/checkpoints")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/problem+json").withBody("{\"code\":\"ACCESS_DENIED\",\"detail\":\"needs auditor\"}")));
        assertThat(witness()).isEqualTo(2);
        assertThat(out).contains("answered 403: the witness's client needs the realm role auditor (ACCESS_DENIED needs auditor)");

        gateway.stubFor(get("/audit/keys").willReturn(aResponse().withHeader("Content-Type", "text/plain").withBody("gerbang/node-a+zz\n")));
        assertThat(witness()).isEqualTo(2);
        assertThat(err).contains("GET /audit/keys, line 1, is not a verifier key");

        assertThat(store.resolve("node-a")).doesNotExist();
    }

    @Test
    void aConsistencyProofThatAnswersAnotherQuestionIsAnErrorNotAnAlarm() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(3);
        publish(a);
        serve(a, a.sign());
        assertThat(witness()).isZero();
        a.grow(2);
        serve(a, a.sign());
        ObjectNode wrong = JSON.createObjectNode().put("node", "node-a").put("fromSize", 1).put("toSize", 5);
        wrong.putArray("proof");
        gateway.stubFor(get(urlPathEqualTo("/audit/proofs/consistency")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(wrong.toString())));
        assertThat(witness()).isEqualTo(2);
        assertThat(out).contains("node-a: ERROR not checked: GET /audit/proofs/consistency?node=node-a&from=3&to=5 answered a proof of another question");
    }

    @Test
    void theGatewayUnreachableIsAnErrorNamingIt() throws Exception {
        String url = gateway.baseUrl();
        gateway.stop();
        assertThat(witness(url)).isEqualTo(2);
        assertThat(err).contains("gerbang witness: GET /audit/keys: the gateway cannot be reached at localhost:", "ConnectException");
    }

    @Test
    void aSecondRunWhileTheFirstHoldsTheStoreDoesNothing() throws Exception {
        FakeNode a = new FakeNode("node-a").grow(2);
        publish(a);
        serve(a, a.sign());
        try (WitnessStore held = WitnessStore.open(store)) {
            assertThat(witness()).isEqualTo(2);
            assertThat(err).contains("another witness run holds the store");
        }
        assertThat(store.resolve("node-a")).doesNotExist();
        assertThat(witness()).isZero();
    }

    @Test
    void usageErrorsAndHelp() throws Exception {
        assertThat(Witness.run(new String[] {"--store", "x", "--token", "t"}, Map.of(), print(true), print(false))).isEqualTo(2);
        collect();
        assertThat(err).contains("--gateway URL is required", "usage: java -jar gerbang.jar witness");
        assertThat(Witness.run(new String[] {"--gateway", "ftp://x", "--store", "x", "--token", "t"}, Map.of(), print(true), print(false))).isEqualTo(2);
        collect();
        assertThat(err).contains("--gateway is an http or https URL");
        assertThat(Witness.run(new String[] {"--gateway", "http://x", "--store", "x"}, Map.of(), print(true), print(false))).isEqualTo(2);
        collect();
        assertThat(err).contains("give --token");
        assertThat(Witness.run(new String[] {"--help"}, Map.of(), print(true), print(false))).isZero();
        collect();
        assertThat(out).contains("--gateway URL", "--store DIR", "--client-id", "--tsa-cert", "--nodes", "Exit status");
    }

    // ---- the fake gateway ----

    int witness() {
        return witness(gateway.baseUrl());
    }

    int witness(String url) {
        int status = Witness.run(new String[] {"--gateway", url, "--store", store.toString(), "--token", "witness-token",
                "--tsa-cert", caPem.toString()}, Map.of(), print(true), print(false));
        collect();
        return status;
    }

    private ByteArrayOutputStream outBytes;
    private ByteArrayOutputStream errBytes;

    PrintStream print(boolean stdout) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (stdout) {
            outBytes = bytes;
        } else {
            errBytes = bytes;
        }
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    void collect() {
        out = outBytes.toString(StandardCharsets.UTF_8);
        err = errBytes.toString(StandardCharsets.UTF_8);
    }

    void publish(FakeNode... nodes) {
        for (FakeNode n : nodes) {
            listedKeys.add(n.key.verifier().verifierKey());
        }
        stubKeys();
    }

    void stubKeys() {
        StringBuilder text = new StringBuilder();
        for (String k : listedKeys) {
            text.append(k).append(' ').append("2026-12-01T00:00:00.000Z\n");
        }
        gateway.stubFor(get("/audit/keys").willReturn(aResponse().withHeader("Content-Type", "text/plain; charset=utf-8").withBody(text.toString())));
    }

    void serve(FakeNode node, SignedNote latest) throws Exception {
        serve(node, latest, List.of(latest));
    }

    /** Serves a node's latest checkpoint, the list of checkpoints (each stamped by the demo TSA) and its proofs. */
    void serve(FakeNode node, SignedNote latest, List<SignedNote> listed) throws Exception {
        List<byte[]> tokens = new ArrayList<>();
        for (SignedNote n : listed) {
            tokens.add(stamper.timestamp(bytes(n)).token());
        }
        serveRaw(node.name, bytes(latest), listed.stream().map(WitnessTest::bytes).toList(), tokens);
        serveProofs(node.name, node.tree);
    }

    void serveRaw(FakeNode node, byte[] latest, byte[] token) throws Exception {
        List<byte[]> tokens = new ArrayList<>();
        tokens.add(token);
        serveRaw(node.name, latest, List.of(latest), tokens);
        serveProofs(node.name, node.tree);
    }

    void serveRaw(String node, byte[] latest, List<byte[]> listed, List<byte[]> tokens) throws Exception {
        gateway.stubFor(get("/audit/checkpoints/" + node + "/latest").willReturn(aResponse()
                .withHeader("Content-Type", "text/plain; charset=utf-8").withBody(latest)));
        ArrayNode list = JSON.createArrayNode();
        for (int i = 0; i < listed.size(); i++) {
            String text = new String(listed.get(i), StandardCharsets.UTF_8);
            Checkpoint c;
            try {
                c = Checkpoint.parse(SignedNote.parse(text).text());
            } catch (IllegalArgumentException e) {
                continue;
            }
            ObjectNode entry = list.addObject().put("node", node).put("treeSize", c.treeSize())
                    .put("rootHash", Base64.getEncoder().encodeToString(c.rootHash())).put("time", c.time().toString()).put("note", text);
            if (tokens.get(i) == null) {
                entry.putNull("timestampToken");
            } else {
                entry.put("timestampToken", Base64.getEncoder().encodeToString(tokens.get(i)));
            }
        }
        gateway.stubFor(get(urlPathEqualTo("/audit/checkpoints")).withQueryParam("node", equalTo(node))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(list.toString())));
    }

    /** Consistency proofs from every smaller size to the tree's, as the node's tree gives them. */
    void serveProofs(String node, MerkleTree tree) {
        long to = tree.size();
        for (long from = 1; from < to; from++) {
            ObjectNode proof = JSON.createObjectNode().put("node", node).put("fromSize", from).put("toSize", to);
            ArrayNode hashes = proof.putArray("proof");
            tree.consistencyProof(from, to).forEach(h -> hashes.add(Base64.getEncoder().encodeToString(h)));
            gateway.stubFor(get(urlEqualTo("/audit/proofs/consistency?node=" + node + "&from=" + from + "&to=" + to))
                    .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(proof.toString())));
        }
    }

    static byte[] bytes(SignedNote note) {
        return note.toString().getBytes(StandardCharsets.UTF_8);
    }

    static NoteSigner signer(String name) throws Exception {
        return new NoteSigner(name, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    }

    /** A node's tree over made-up record hashes (leaf i: SHA-256 of "<node> record i"), and its key. */
    static final class FakeNode {
        static final Map<String, Instant> clock = new LinkedHashMap<>();
        final String name;
        final NoteSigner key;
        final MerkleTree tree = new MerkleTree(new InMemoryMerkleNodeStore());
        int counter = 1;

        FakeNode(String name) throws Exception {
            this(name, signer("gerbang/" + name));
        }

        FakeNode(String name, NoteSigner key) {
            this.name = name;
            this.key = key;
        }

        FakeNode grow(int records) throws Exception {
            for (int i = 0; i < records; i++) {
                tree.append(MessageDigest.getInstance("SHA-256").digest((name + " record " + counter++).getBytes(StandardCharsets.UTF_8)));
            }
            return this;
        }

        /** Leaves no honest node wrote. */
        FakeNode growOther(int records) throws Exception {
            for (int i = 0; i < records; i++) {
                tree.append(MessageDigest.getInstance("SHA-256").digest((name + " forged " + counter++).getBytes(StandardCharsets.UTF_8)));
            }
            return this;
        }

        SignedNote sign() {
            return sign(key);
        }

        /** A checkpoint of the tree now, each a millisecond later than the node's last. */
        SignedNote sign(NoteSigner... signers) {
            Instant time = clock.merge(name, Instant.parse("2026-12-01T03:00:00.000Z"), (was, x) -> was.plusMillis(1000));
            return Checkpoint.of("gerbang", name, tree.size(), tree.rootHash(), time).sign(signers);
        }
    }
}
