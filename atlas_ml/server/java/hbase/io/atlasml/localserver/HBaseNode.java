package io.atlasml.localserver;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.LocalHBaseCluster;
import org.apache.hadoop.hbase.master.HMaster;
import org.apache.hadoop.hbase.regionserver.HRegionServer;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;

/**
 * HBase standalone (one master and one region server in this JVM, data under
 * {@code hbase.rootdir}) with its ZooKeeper, as {@code hbase master start} runs it, except that
 * ZooKeeper is ZooKeeper's own standalone server started from a {@code zoo.cfg}: HBase's
 * standalone mode starts a MiniZooKeeperCluster that listens on every interface, this one
 * listens where {@code zoo.cfg}'s {@code clientPortAddress} says (the loopback address).
 *
 * <p>Usage: {@code HBaseNode <zoo.cfg>}; HBase reads {@code hbase-site.xml} from the class
 * path. SIGTERM shuts HBase down (flushing its memstores), then ZooKeeper.
 */
public final class HBaseNode {
    private HBaseNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: HBaseNode <zoo.cfg>");
            System.exit(2);
        }
        LocalZooKeeper zooKeeper = LocalZooKeeper.start(args[0]);

        Configuration conf = HBaseConfiguration.create();
        // What 'hbase master start' does in standalone mode besides starting ZooKeeper.
        DefaultMetricsSystem.setMiniClusterMode(true);
        conf.setInt("zookeeper.session.timeout",
                conf.getInt("zookeeper.session.timeout.localHBaseCluster", 10 * 1000));
        LocalHBaseCluster cluster = new LocalHBaseCluster(conf, 1, 1, HMaster.class, HRegionServer.class);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.shutdown();
            cluster.join();
            zooKeeper.stop();
        }, "hbase-node-shutdown"));
        cluster.startup();
        System.out.println("HBase started");
    }
}
