package io.atlasml.localserver;

import java.io.File;
import java.net.InetSocketAddress;

import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * Lets the sessions a killed process left in a ZooKeeper data folder expire, then stops.
 *
 * <p>Atlas's embedded Kafka keeps its ZooKeeper data under {@code data/kafka/zk}. After a
 * {@code kill -9} the data still holds the dead broker's session and its ephemeral
 * {@code /brokers/ids/1}; ZooKeeper drops them only once the session's timeout has passed after
 * it starts again, but Atlas starts Kafka within a second of its ZooKeeper, and Kafka 2.0 then
 * fails ("node already exists and owner does not match current session"). This opens the same
 * folders (as Atlas does: snapshots in {@code zk/txn}, logs in {@code zk/snap}, tick 500 ms) on
 * a free loopback port until no session is left, which writes their expiry to the log.
 *
 * <p>Usage: {@code ZooKeeperSessionSweep <snapshot dir> <log dir> <max wait ms>}; prints how
 * many sessions it found and how many were left.
 */
public final class ZooKeeperSessionSweep {
    private ZooKeeperSessionSweep() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ZooKeeperSessionSweep <snapshot dir> <log dir> <max wait ms>");
            System.exit(2);
        }
        ZooKeeperServer server = new ZooKeeperServer(new File(args[0]), new File(args[1]), 500);
        ServerCnxnFactory factory =
                NIOServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 10);
        factory.startup(server);
        int found = server.getZKDatabase().getSessions().size();
        long deadline = System.currentTimeMillis() + Long.parseLong(args[2]);
        while (!server.getZKDatabase().getSessions().isEmpty()
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        int left = server.getZKDatabase().getSessions().size();
        factory.shutdown();
        System.out.println("sessions found " + found + ", left " + left);
        System.exit(left == 0 ? 0 : 1);
    }
}
