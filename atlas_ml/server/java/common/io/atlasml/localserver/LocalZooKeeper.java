package io.atlasml.localserver;

import org.apache.zookeeper.server.ServerConfig;
import org.apache.zookeeper.server.ZooKeeperServerMain;

/**
 * ZooKeeper's own standalone server, run in a daemon thread from a {@code zoo.cfg}: it listens
 * where {@code clientPortAddress} says (the loopback address) and keeps its data in
 * {@code dataDir}, so whatever registers in it survives a restart. Compiled into both the Solr
 * node's and the HBase node's jar.
 */
final class LocalZooKeeper extends ZooKeeperServerMain {
    private LocalZooKeeper() {}

    static LocalZooKeeper start(String zooCfg) throws Exception {
        ServerConfig config = new ServerConfig();
        config.parse(zooCfg);
        LocalZooKeeper zooKeeper = new LocalZooKeeper();
        Thread thread = new Thread(() -> {
            try {
                zooKeeper.runFromConfig(config);
            } catch (Exception e) {
                e.printStackTrace();
                System.exit(1);
            }
        }, "zookeeper");
        thread.setDaemon(true);
        thread.start();
        return zooKeeper;
    }

    void stop() {
        shutdown();
    }
}
