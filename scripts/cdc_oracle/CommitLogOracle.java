// Cassandra's own commit-log reader as the CDC decoder's oracle (issue 15):
// reads segments with org.apache.cassandra.db.commitlog.CommitLogReader, on the
// node's cassandra-all classpath, and prints every mutation one fact a line in
// the form tests/src/cdc/oracle.rs renders the Rust decoder's, so that the two
// can be compared entry by entry. Test-only; run by scripts/cdc_oracle/run:
//
//   scripts/cdc_oracle/run SCHEMA SEGMENT...             (prints the mutations)
//   scripts/cdc_oracle/run --bench N SCHEMA SEGMENT...   (reads N times, prints each round's time)
//
// SCHEMA is a text file: `keyspace K`, then `ddl <CREATE TYPE|CREATE TABLE ...>`
// (a table's id appended as `id = ...`), `drop <table> <column> <micros>`;
// tables of other keyspaces are not decoded (CommitLogReader counts them invalid).
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

import org.apache.cassandra.config.DataStorageSpec;
import org.apache.cassandra.config.DatabaseDescriptor;
import org.apache.cassandra.cql3.ColumnIdentifier;
import org.apache.cassandra.cql3.QueryProcessor;
import org.apache.cassandra.cql3.statements.schema.AlterSchemaStatement;
import org.apache.cassandra.db.*;
import org.apache.cassandra.db.commitlog.*;
import org.apache.cassandra.db.partitions.PartitionUpdate;
import org.apache.cassandra.db.rows.*;
import org.apache.cassandra.dht.Murmur3Partitioner;
import org.apache.cassandra.io.util.File;
import org.apache.cassandra.schema.*;
import org.apache.cassandra.service.ClientState;
import org.apache.cassandra.utils.ByteBufferUtil;

public class CommitLogOracle {
    public static void main(String[] args) throws Exception {
        int rounds = 0, at = 0;
        if (args[0].equals("--bench")) { rounds = Integer.parseInt(args[1]); at = 2; }
        // A client's configuration: no directories, and an offline schema that
        // opens no keyspace. Mutations check their size against this bound.
        DatabaseDescriptor.clientInitialization(false);
        DatabaseDescriptor.getRawConfig().max_mutation_size = new DataStorageSpec.IntKibibytesBound(16 * 1024);
        DatabaseDescriptor.setPartitionerUnsafe(Murmur3Partitioner.instance);
        loadSchema(Path.of(args[at]));
        List<String> segments = Arrays.asList(args).subList(at + 1, args.length);
        if (rounds == 0) {
            StringBuilder out = new StringBuilder();
            for (String segment : segments) read(segment, (m, id, end) -> print(out, m, id, end));
            System.out.print(out);
            return;
        }
        // Each round reads every segment on this thread; its CPU time is what
        // one core spends (the JIT and GC threads aside, which the process total adds).
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < rounds; i++) {
            long[] entries = {0}, events = {0};
            long wall = System.nanoTime(), cpu = threads.getCurrentThreadCpuTime();
            for (String segment : segments)
                read(segment, (m, id, end) -> { entries[0]++; events[0] += count(m); });
            System.out.printf("jvm round=%d entries=%d events=%d wall=%.4f cpu=%.4f%n", i, entries[0], events[0],
                    (System.nanoTime() - wall) / 1e9, (threads.getCurrentThreadCpuTime() - cpu) / 1e9);
        }
    }

    interface Sink { void accept(Mutation m, long segment, int end); }

    static void read(String segment, Sink sink) throws Exception {
        CommitLogReadHandler handler = new CommitLogReadHandler() {
            public boolean shouldSkipSegmentOnError(CommitLogReadException e) { return false; }
            public void handleUnrecoverableError(CommitLogReadException e) { throw new RuntimeException(e); }
            public void handleMutation(Mutation m, int size, int end, CommitLogDescriptor d) { sink.accept(m, d.id, end); }
        };
        new CommitLogReader().readCommitLogSegment(handler, new File(segment), CommitLogReader.ALL_MUTATIONS, true);
    }

    static void loadSchema(Path file) throws Exception {
        String keyspace = null;
        Keyspaces keyspaces = Keyspaces.none();
        ClientState state = ClientState.forInternalCalls();
        for (String line : Files.readAllLines(file)) {
            String[] word = line.split(" ", 2);
            if (word[0].equals("keyspace")) {
                keyspace = word[1];
                keyspaces = keyspaces.withAddedOrUpdated(KeyspaceMetadata.create(keyspace, KeyspaceParams.simple(1)));
            } else if (word[0].equals("ddl")) {
                AlterSchemaStatement ddl = (AlterSchemaStatement) QueryProcessor.parseStatement(word[1]).prepare(state);
                keyspaces = ddl.apply(keyspaces);
            } else if (word[0].equals("drop")) {
                String[] drop = word[1].split(" ");
                KeyspaceMetadata ks = keyspaces.getNullable(keyspace);
                TableMetadata table = ks.getTableOrViewNullable(drop[0]);
                ColumnMetadata column = table.getColumn(ColumnIdentifier.getInterned(drop[1], true));
                TableMetadata dropped = table.unbuild().removeRegularOrStaticColumn(column.name)
                        .recordColumnDrop(column, Long.parseLong(drop[2])).build();
                keyspaces = keyspaces.withAddedOrUpdated(ks.withSwapped(ks.tables.withSwapped(dropped)));
            }
        }
        KeyspaceMetadata loaded = keyspaces.getNullable(keyspace);
        Schema.instance.transform(current -> current.withAddedOrUpdated(loaded));
    }

    /** Rows and partition deletions: what our reader makes an event each. */
    static long count(Mutation m) {
        long n = 0;
        for (PartitionUpdate update : m.getPartitionUpdates())
            n += update.rowCount() + (update.staticRow().isEmpty() ? 0 : 1) + (update.partitionLevelDeletion().isLive() ? 0 : 1);
        return n;
    }

    static void print(StringBuilder out, Mutation m, long segment, int end) {
        out.append("entry segment=").append(segment).append(" end=").append(end).append('\n');
        List<PartitionUpdate> updates = new ArrayList<>(m.getPartitionUpdates());
        updates.sort(Comparator.comparing(u -> u.metadata().name));
        for (PartitionUpdate update : updates) {
            out.append("partition ").append(update.metadata().keyspace).append('.').append(update.metadata().name)
               .append(" key=").append(hex(update.partitionKey().getKey())).append('\n');
            try (UnfilteredRowIterator rows = update.unfilteredIterator()) {
                if (!rows.partitionLevelDeletion().isLive())
                    out.append("  partition deletion ").append(deletion(rows.partitionLevelDeletion())).append('\n');
                if (!rows.staticRow().isEmpty()) row(out, "static", rows.staticRow());
                while (rows.hasNext()) {
                    Unfiltered unfiltered = rows.next();
                    if (unfiltered.isRow()) row(out, "row", (Row) unfiltered);
                    else marker(out, (RangeTombstoneMarker) unfiltered);
                }
            }
        }
    }

    static void row(StringBuilder out, String what, Row row) {
        out.append("  ").append(what).append(clustering(row.clustering()));
        LivenessInfo liveness = row.primaryKeyLivenessInfo();
        if (!liveness.isEmpty()) {
            out.append(" liveness ts=").append(liveness.timestamp());
            if (liveness.isExpiring()) out.append(" ttl=").append(liveness.ttl()).append(" expires=").append(liveness.localExpirationTime());
        }
        if (!row.deletion().isLive()) out.append(" deletion ").append(deletion(row.deletion().time()));
        out.append('\n');
        for (ColumnData data : row) {
            out.append("    column ").append(data.column().name);
            if (data.column().isComplex()) {
                ComplexColumnData complex = (ComplexColumnData) data;
                if (!complex.complexDeletion().isLive()) out.append(" complex deletion ").append(deletion(complex.complexDeletion()));
                out.append('\n');
                for (Cell<?> cell : complex) cell(out, cell);
            } else {
                out.append('\n');
                cell(out, (Cell<?>) data);
            }
        }
    }

    static void cell(StringBuilder out, Cell<?> cell) {
        out.append("      cell ts=").append(cell.timestamp());
        if (cell.isTombstone()) out.append(" deleted ldt=").append(cell.localDeletionTime());
        if (cell.isExpiring()) out.append(" ttl=").append(cell.ttl()).append(" ldt=").append(cell.localDeletionTime());
        if (cell.path() != null) out.append(" path=").append(hex(cell.path().get(0)));
        if (!cell.isTombstone()) out.append(" value=").append(hex(cell.buffer()));
        out.append('\n');
    }

    static void marker(StringBuilder out, RangeTombstoneMarker marker) {
        ClusteringBoundOrBoundary<?> bound = marker.clustering();
        out.append("  marker ").append(bound.kind()).append(clustering(bound));
        if (marker.isBoundary()) {
            RangeTombstoneBoundaryMarker boundary = (RangeTombstoneBoundaryMarker) marker;
            out.append(" closes ").append(deletion(boundary.endDeletionTime()));
            out.append(" opens ").append(deletion(boundary.startDeletionTime()));
        } else {
            out.append(marker.isOpen(false) ? " opens " : " closes ")
               .append(deletion(((RangeTombstoneBoundMarker) marker).deletionTime()));
        }
        out.append('\n');
    }

    static String clustering(ClusteringPrefix<?> prefix) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < prefix.size(); i++) {
            ByteBuffer value = prefix.bufferAt(i);
            text.append(i == 0 ? " clustering=" : ",").append(value == null ? "null" : hex(value));
        }
        return text.toString();
    }

    static String deletion(DeletionTime deletion) {
        return "ts=" + deletion.markedForDeleteAt() + " ldt=" + deletion.localDeletionTime();
    }

    static String hex(ByteBuffer bytes) {
        return "0x" + ByteBufferUtil.bytesToHex(bytes);
    }
}
