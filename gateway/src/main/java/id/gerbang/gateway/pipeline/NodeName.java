package id.gerbang.gateway.pipeline;

import id.gerbang.gateway.config.GerbangProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.stereotype.Component;

/** This node's name on the trail and in logs: {@code gerbang.node}, else the host name. */
@Component
public class NodeName {

    private final String value;

    public NodeName(GerbangProperties properties) {
        this.value = properties.node() != null && !properties.node().isBlank() ? properties.node() : hostName();
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
