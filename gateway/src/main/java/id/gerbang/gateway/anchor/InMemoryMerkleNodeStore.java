package id.gerbang.gateway.anchor;

import java.util.ArrayList;
import java.util.List;

/** A {@link MerkleNodeStore} in memory: for tests, and for rebuilding a tree from an export's records. */
public final class InMemoryMerkleNodeStore implements MerkleNodeStore {

    /** levels.get(l).get(i) is the node (l, i). */
    private final List<List<byte[]>> levels = new ArrayList<>();

    @Override
    public synchronized long size() {
        return levels.isEmpty() ? 0 : levels.get(0).size();
    }

    @Override
    public synchronized byte[] node(int level, long index) {
        if (level < 0 || level >= levels.size() || index < 0 || index >= levels.get(level).size()) {
            throw new IllegalStateException("the tree has no node at level " + level + ", index " + index);
        }
        return levels.get(level).get((int) index).clone();
    }

    @Override
    public synchronized void append(List<MerkleNode> nodes) {
        if (nodes.isEmpty() || nodes.get(0).level() != 0 || nodes.get(0).index() != size()) {
            throw new IllegalArgumentException("an append starts with the leaf at index " + size());
        }
        for (MerkleNode n : nodes) {
            while (levels.size() <= n.level()) {
                levels.add(new ArrayList<>());
            }
            List<byte[]> level = levels.get(n.level());
            if (level.size() != n.index()) {
                throw new IllegalArgumentException("node " + n + " is not the next one at its level");
            }
            level.add(n.hash());
        }
    }
}
