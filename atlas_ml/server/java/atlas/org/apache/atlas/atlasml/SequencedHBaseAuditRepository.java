package org.apache.atlas.atlasml;

import java.util.concurrent.atomic.AtomicLong;

import javax.inject.Singleton;

import org.apache.atlas.annotation.ConditionalOnAtlasProperty;
import org.apache.atlas.repository.audit.HBaseBasedAuditRepository;
import org.apache.hadoop.hbase.util.Bytes;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Atlas's HBase entity audit repository with row keys that never collide.
 *
 * <p>Atlas 2.1 keys an audit row by {@code guid:requestTime:indexInBatch:currentMillis}. Every
 * event of one request carries the request's time, and each listener call starts its batch
 * index at 0, so two calls for the same entity within one millisecond (an ENTITY_CREATE and a
 * PROPAGATED_CLASSIFICATION_ADD of the same request) write the same row and the first event is
 * silently replaced. The same key also orders events of one request by index, not by when
 * they happened. Here the last two parts become one process-wide sequence, seeded from the
 * clock so that it keeps increasing across restarts: every event gets its own row, and rows of
 * one request sort in the order Atlas emitted them. Reading is unchanged (Atlas parses only
 * the guid and the timestamp from the key).
 *
 * <p>The package is under {@code org.apache.atlas} because Atlas's Spring context scans only
 * there; the bean replaces the stock one when
 * {@code atlas.EntityAuditRepository.impl} names this class.
 */
@Singleton
@Component
@ConditionalOnAtlasProperty(property = "atlas.EntityAuditRepository.impl")
@Order(0)
public class SequencedHBaseAuditRepository extends HBaseBasedAuditRepository {
    private static final String SEPARATOR = ":"; // the one Atlas splits keys on
    private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis() * 1000L);

    @Override
    protected byte[] getKey(String id, Long ts, int index) {
        String sequence = String.format("%019d", SEQUENCE.incrementAndGet());
        return Bytes.toBytes(id + SEPARATOR + ts + SEPARATOR + sequence);
    }
}
