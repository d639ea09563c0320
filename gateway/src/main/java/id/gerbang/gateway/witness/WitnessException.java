package id.gerbang.gateway.witness;

/** The witness could not check (the gateway unreachable, an answer that is not what the contract says, its store unreadable). */
class WitnessException extends RuntimeException {

    WitnessException(String message) {
        super(message);
    }
}
