package id.gerbang.gateway.context;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This node's name on the trail and in logs: {@code gerbang.node}, else the host name. */
public final class NodeName {

    private final String value;

    /** @param configured {@code gerbang.node}; {@code null} or blank for the host name */
    public NodeName(String configured) {
        this.value = configured != null && !configured.isBlank() ? configured : hostName();
    }

    public String value() {
        return value;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "gerbang";
        }
    }
}
