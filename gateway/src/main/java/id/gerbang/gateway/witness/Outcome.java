package id.gerbang.gateway.witness;

/** How a node's check ended, and the exit status it gives the run (the worst node's). */
enum Outcome {

    /** Followed: signature, timestamp and consistency hold. */
    OK(0, 0),
    /** Checked and kept, but the checkpoint carries no timestamp token yet. */
    INCOMPLETE(3, 1),
    /** Not checked: the gateway unreachable, refusing, or answering something that is not the contract's. */
    ERROR(2, 2),
    /** Evidence against the trail: shrunk, forked, rewritten, a signature or a token that does not verify, an unintroduced key. */
    ALARM(1, 3);

    final int exitStatus;
    private final int rank;

    Outcome(int exitStatus, int rank) {
        this.exitStatus = exitStatus;
        this.rank = rank;
    }

    Outcome worse(Outcome other) {
        return other.rank > rank ? other : this;
    }
}
