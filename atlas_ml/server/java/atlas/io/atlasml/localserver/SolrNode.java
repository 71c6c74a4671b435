package io.atlasml.localserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

import org.apache.solr.client.solrj.embedded.JettyConfig;
import org.apache.solr.client.solrj.embedded.JettySolrRunner;
import org.apache.solr.common.cloud.SolrZkClient;

/**
 * One SolrCloud node and its ZooKeeper, with a fixed home, port and ZooKeeper data folder, so
 * that the index of the local Atlas outlives the process (atlas-testtools' LocalSolrRunner puts
 * both in a new random folder at every start).
 *
 * <p>Usage: {@code SolrNode <solr home> <port> <zoo.cfg> <zkHost> <configset dir> <name>...}.
 * ZooKeeper runs from {@code zoo.cfg} (ZooKeeper's own standalone server); every configset
 * name not yet in ZooKeeper gets {@code configset dir} uploaded under it (Atlas's JanusGraph
 * creates each collection from the configset of the same name on first use); then Solr's
 * Jetty runner starts on {@code port}. SIGTERM stops Solr first, then ZooKeeper.
 */
public final class SolrNode {
    private SolrNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println(
                    "usage: SolrNode <solr home> <port> <zoo.cfg> <zkHost> <configset dir> <name>...");
            System.exit(2);
        }
        Path home = Paths.get(args[0]);
        int port = Integer.parseInt(args[1]);
        String zkHost = args[3];
        Path configset = Paths.get(args[4]);
        List<String> names = Arrays.asList(args).subList(5, args.length);

        LocalZooKeeper zooKeeper = LocalZooKeeper.start(args[2]);

        try (SolrZkClient zk = new SolrZkClient(zkHost, 30000, 60000)) {
            for (String name : names) {
                if (!zk.exists("/configs/" + name, true)) {
                    zk.upConfig(configset, name);
                    System.out.println("Uploaded configset " + name);
                }
            }
        }

        if (!Files.isRegularFile(home.resolve("solr.xml"))) {
            throw new IllegalStateException(home + " has no solr.xml");
        }
        System.setProperty("zkHost", zkHost);
        System.setProperty("hostPort", Integer.toString(port));
        // Makes the Jetty runner listen on 127.0.0.1 only (otherwise on every interface).
        System.setProperty("jetty.testMode", "true");
        JettySolrRunner solr = new JettySolrRunner(
                home.toString(),
                JettyConfig.builder().setContext("/solr").setPort(port).stopAtShutdown(false).build());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                solr.stop();
            } catch (Exception e) {
                e.printStackTrace();
            }
            zooKeeper.stop();
        }, "solr-node-shutdown"));
        solr.start();
        System.out.println("Solr node started on port " + port);
    }
}
