package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of tampering docs/trail.md promises to detect, on chains of several interleaved nodes. */
class TrailVerifierTest {

    private final List<AuditRecord> trail = Chains.interleaved(25);

    static TrailVerifier.Result verify(List<AuditRecord> records) {
        TrailVerifier v = new TrailVerifier();
        for (AuditRecord r : records) {
            if (!v.accept(r)) {
                break;
            }
        }
        return v.result();
    }

    /** The {@code seq}-th record of {@code node} in the trail. */
    private AuditRecord of(String node, long seq) {
        return trail.stream().filter(r -> r.node().equals(node) && r.nodeSeq() == seq).findFirst().orElseThrow();
    }

    private void replace(AuditRecord old, AuditRecord with) {
        trail.set(trail.indexOf(old), with);
    }

    @Test
    void aValidTrailOfSeveralInterleavedNodesVerifies() {
        assertThat(trail.stream().map(AuditRecord::node).distinct()).hasSize(3);
        TrailVerifier.Result r = verify(trail);
        assertThat(r.valid()).isTrue();
        assertThat(r.checked()).isEqualTo(25);
        assertThat(r.firstInvalid()).isNull();
        assertThat(r.reason()).isNull(); // every node's chain starts at its first record
    }

    @Test
    void anEditedFieldIsNamed() {
        AuditRecord victim = of("gerbang-b", 3);
        replace(victim, RecordHashTest.copy(victim, "status", 200 + 1)); // hash left as it was
        TrailVerifier.Result r = verify(trail);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(victim.id());
        assertThat(r.reason()).contains("hash does not match").contains("changed");
    }

    @Test
    void anEditWithARecomputedHashBreaksTheNextLink() {
        AuditRecord victim = of("gerbang-a", 4);
        AuditRecord edited = RecordHashTest.copy(victim, "clientId", "someone-else");
        replace(victim, edited.withHash(RecordHash.of(edited)));
        TrailVerifier.Result r = verify(trail);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(of("gerbang-a", 5).id());
        assertThat(r.reason()).contains("prevHash does not match the hash of record 4 of node gerbang-a");
    }

    @Test
    void aDeletedRecordIsNamedByItsSuccessor() {
        AuditRecord deleted = of("gerbang-a", 3);
        trail.remove(deleted);
        TrailVerifier.Result r = verify(trail);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(of("gerbang-a", 4).id());
        assertThat(r.reason()).contains("records 3 to 3 of node gerbang-a are missing: deleted");
    }

    @Test
    void aForgedRecordWithACorrectHashButNoPlaceInTheChainIsNamed() {
        // a plausible call, hashed correctly, claiming to be record 3 of gerbang-c, linked to nothing real
        AuditRecord genuine = of("gerbang-c", 3);
        AuditRecord forged = AuditRecord.chain(Chains.entry(genuine.requestAt().minusMillis(1), "dinkes-simpus", 200),
                "gerbang-c", 3, "ab".repeat(32)).withId(1000L);
        assertThat(RecordHash.of(forged)).isEqualTo(forged.hash());
        trail.add(trail.indexOf(genuine), forged);
        TrailVerifier.Result r = verify(trail);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(1000L);
        assertThat(r.reason()).contains("prevHash does not match the hash of record 2 of node gerbang-c");
    }

    @Test
    void aForgedRecordCorrectlyLinkedStillCollidesWithTheGenuineOne() {
        // the forger links to the real predecessor: then the genuine record with that number is out of place
        AuditRecord before = of("gerbang-c", 2);
        AuditRecord genuine = of("gerbang-c", 3);
        AuditRecord forged = AuditRecord.chain(Chains.entry(genuine.requestAt().minusMillis(1), "dinkes-simpus", 200),
                "gerbang-c", 3, before.hash()).withId(1000L);
        trail.add(trail.indexOf(genuine), forged);
        TrailVerifier.Result r = verify(trail);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(genuine.id());
        assertThat(r.reason()).contains("record 3 of node gerbang-c comes after record 3")
                .contains("reordered or a record inserted");
    }

    @Test
    void aReorderingIsNamed() {
        AuditRecord second = of("gerbang-b", 2);
        AuditRecord third = of("gerbang-b", 3);
        int i = trail.indexOf(second);
        int j = trail.indexOf(third);
        trail.set(i, third);
        trail.set(j, second);
        TrailVerifier.Result r = verify(trail);
        assertThat(r.valid()).isFalse();
        // the first out-of-place record is named; at that point it is indistinguishable from a gap
        assertThat(r.firstInvalid()).isEqualTo(third.id());
        assertThat(r.reason()).contains("node gerbang-b").contains("missing");
    }

    @Test
    void aReorderingOfRenumberedRecordsIsAnEdit() {
        // swapping two records' places in the chain by swapping their sequence numbers changes both hashes
        AuditRecord second = of("gerbang-b", 2);
        AuditRecord third = of("gerbang-b", 3);
        replace(second, RecordHashTest.copy(third, "nodeSeq", 2L));
        replace(third, RecordHashTest.copy(second, "nodeSeq", 3L));
        TrailVerifier.Result r = verify(trail);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(third.id());
        assertThat(r.reason()).contains("hash does not match");
    }

    @Test
    void aFirstRecordWithAWrongPrevHashIsNamed() {
        AuditRecord first = of("gerbang-c", 1);
        AuditRecord forged = RecordHashTest.copy(first, "prevHash", "11".repeat(32));
        replace(first, forged.withHash(RecordHash.of(forged)));
        TrailVerifier.Result r = verify(trail);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(first.id());
        assertThat(r.reason()).contains("prevHash does not match the hash of record 0 of node gerbang-c");
    }

    @Test
    void aStretchLinksToItsAnchor() {
        AuditRecord anchor = of("gerbang-a", 3);
        List<AuditRecord> stretch = new ArrayList<>(trail.subList(trail.indexOf(anchor) + 1, trail.size()))
                .stream().filter(r -> r.node().equals("gerbang-a")).toList();
        TrailVerifier v = new TrailVerifier();
        v.anchor("gerbang-a", anchor.nodeSeq(), anchor.hash());
        stretch.forEach(v::accept);
        assertThat(v.result().valid()).isTrue();
        assertThat(v.result().checked()).isEqualTo(stretch.size());
        assertThat(v.result().reason()).isNull();
    }

    @Test
    void anAnchorMismatchIsNamed() {
        AuditRecord anchor = of("gerbang-a", 3);
        AuditRecord next = of("gerbang-a", 4);
        TrailVerifier v = new TrailVerifier();
        v.anchor("gerbang-a", 3, "22".repeat(32));
        v.accept(next);
        assertThat(v.result().valid()).isFalse();
        assertThat(v.result().firstInvalid()).isEqualTo(next.id());
        assertThat(v.result().reason()).contains("prevHash does not match the hash of record 3 of node gerbang-a");

        TrailVerifier gap = new TrailVerifier();
        gap.anchor("gerbang-a", anchor.nodeSeq() - 1, "33".repeat(32)); // the anchor's own record is missing
        gap.accept(next);
        assertThat(gap.result().valid()).isFalse();
        assertThat(gap.result().firstInvalid()).isEqualTo(next.id());
        assertThat(gap.result().reason()).contains("records 3 to 3 of node gerbang-a are missing");
    }

    @Test
    void withoutAnAnchorAStretchIsCheckedFromItsFirstRecordAndSaysSo() {
        List<AuditRecord> tail = trail.stream().filter(r -> r.node().equals("gerbang-b") && r.nodeSeq() >= 3).toList();
        TrailVerifier.Result r = verify(tail);
        assertThat(r.valid()).isTrue();
        assertThat(r.checked()).isEqualTo(tail.size());
        assertThat(r.reason()).contains("checked from the first record present of each node").contains("gerbang-b at 3");
    }

    @Test
    void checkingStopsAtTheFirstInvalidRecord() {
        AuditRecord victim = of("gerbang-a", 2);
        replace(victim, RecordHashTest.copy(victim, "status", 500));
        TrailVerifier.Result r = verify(trail);
        assertThat(r.checked()).isEqualTo(trail.indexOf(trail.stream().filter(x -> x.id().equals(victim.id()))
                .findFirst().orElseThrow()) + 1);
    }

    // ------------------------------------------------------------------------------------------ nodes and checkpoints

    @Test
    void aNodeNobodyConfiguredIsReportedThoughItsChainIsValid() {
        Chains forged = new Chains();
        AuditRecord vm2First = null;
        List<AuditRecord> withVm2 = new ArrayList<>(trail);
        for (int i = 0; i < 3; i++) {
            AuditRecord r = forged.add("vm2", "dinkes-simpus", 200).withId(1000L + i); // a correct genesis chain
            vm2First = vm2First == null ? r : vm2First;
            withVm2.add(r);
        }
        assertThat(verify(withVm2).valid()).as("without a list of nodes, any chain verifies").isTrue();

        TrailVerifier v = new TrailVerifier(java.util.Set.of("gerbang-a", "gerbang-b", "gerbang-c"));
        withVm2.forEach(v::accept);
        assertThat(v.result().valid()).isFalse();
        assertThat(v.result().firstInvalid()).isEqualTo(vm2First.id());
        assertThat(v.result().reason()).startsWith("unknown node: vm2");
    }

    @Test
    void aCheckpointNoVerifiedPurgeAnnouncesIsNotTrusted() {
        // an insider deleted records 1 to 4 of node a and claimed them purged
        AuditRecord fourth = of("gerbang-a", 4);
        List<AuditRecord> rest = trail.stream().filter(r -> !r.node().equals("gerbang-a") || r.nodeSeq() > 4).toList();
        TrailVerifier v = new TrailVerifier();
        v.checkpoint("gerbang-a", 4, fourth.hash(), Chains.T0);
        rest.forEach(v::accept);
        assertThat(v.result().valid()).isFalse();
        assertThat(v.result().firstInvalid()).isEqualTo(of("gerbang-a", 5).id());
        assertThat(v.result().reason()).contains("records 1 to 4 of node gerbang-a are missing")
                .contains("not announced by a trail-purge record on a verified chain");
    }

    @Test
    void aCheckpointAnnouncedByAVerifiedPurgeHolds() {
        Chains c = new Chains();
        List<AuditRecord> purged = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            purged.add(c.add("gerbang-a", "dinkes-simpus", 200));
        }
        AuditRecord kept = c.add("gerbang-a", "dinkes-simpus", 200);
        c.add("gerbang-b", "bapenda-sipd", 200);
        AuditRecord purge = c.addPurge("gerbang-b", purged.get(3));
        List<AuditRecord> remaining = c.records().subList(4, c.records().size());

        TrailVerifier v = new TrailVerifier();
        v.checkpoint("gerbang-a", 4, purged.get(3).hash(), Chains.T0);
        remaining.forEach(v::accept);
        assertThat(v.result().valid()).as(v.result().reason()).isTrue();
        assertThat(v.result().reason()).contains("node gerbang-a starts after its retention checkpoint (records 1 to 4")
                .contains("as record " + purge.id() + " announced");

        // offline, from an export: the same purge record links the first record present to its checkpoint
        TrailVerifier offline = new TrailVerifier();
        remaining.forEach(offline::accept);
        assertThat(offline.result().reason()).contains("node gerbang-a starts after its retention checkpoint")
                .doesNotContain("checked from the first record present");
        assertThat(kept.nodeSeq()).isEqualTo(5);
    }

    @Test
    void aPurgeThatFailsVerificationOrAnnouncesSomethingElseProvesNothing() {
        Chains c = new Chains();
        AuditRecord fourth = null;
        for (int i = 0; i < 4; i++) {
            fourth = c.add("gerbang-a", "dinkes-simpus", 200);
        }
        c.add("gerbang-a", "dinkes-simpus", 200);
        AuditRecord genuine = c.addPurge("gerbang-b", fourth);
        List<AuditRecord> remaining = new ArrayList<>(c.records().subList(4, c.records().size()));

        // a different hash than the purge announced
        TrailVerifier other = new TrailVerifier();
        other.checkpoint("gerbang-a", 4, "ee".repeat(32), null);
        remaining.forEach(other::accept);
        assertThat(other.result().valid()).isFalse();

        // the purge record given to the verifier from outside, but it is a call, not a purge
        TrailVerifier notAPurge = new TrailVerifier();
        notAPurge.checkpoint("gerbang-a", 4, fourth.hash(), null);
        notAPurge.announcedBy(remaining.get(0));
        remaining.stream().filter(r -> r.node().equals("gerbang-a")).forEach(notAPurge::accept);
        assertThat(notAPurge.result().valid()).isFalse();

        // a purge on the node's own chain within the range it claims purged cannot have announced it
        AuditRecord inside = AuditRecord.chain(Chains.purge(Chains.T0, fourth.withHash(fourth.hash())), "gerbang-a", 3,
                "11".repeat(32)).withId(99L);
        TrailVerifier selfInside = new TrailVerifier();
        selfInside.checkpoint("gerbang-a", 4, fourth.hash(), null);
        selfInside.announcedBy(inside);
        remaining.stream().filter(r -> r.node().equals("gerbang-a")).forEach(selfInside::accept);
        assertThat(selfInside.result().valid()).isFalse();
        assertThat(genuine.kind()).isEqualTo("trail-purge");
    }
}
