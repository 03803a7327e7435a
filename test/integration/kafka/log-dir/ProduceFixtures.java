// The records the log-dir reader is checked on, written by the Java client (Kafka's own, from the sandbox's jars)
// in one JVM: every codec as Java writes it (snappy in snappy-java's framing, lz4 frames, zstd), headers, null
// keys, values and header values, an idempotent producer, transactions ending in commit and abort markers, one
// left open (the JVM halts inside it, as a crashed producer would), and enough data to fill several segments.
// Run with `java -cp <kafka jars> ProduceFixtures.java <bootstrap> <codecs topic> <txn topic> <multi topic>`.

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class ProduceFixtures {
  static byte[] bytes(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  static Properties config(String bootstrap) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    props.put("acks", "all");
    props.put("linger.ms", "200");
    return props;
  }

  static ProducerRecord<byte[], byte[]> record(String topic, String key, String value, String... headers) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, bytes(key), bytes(value));
    for (int i = 0; i + 1 < headers.length; i += 2) record.headers().add(new RecordHeader(headers[i], bytes(headers[i + 1])));
    return record;
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], codecs = args[1], txn = args[2], multi = args[3];
    for (String codec : new String[] {"none", "gzip", "snappy", "lz4", "zstd"}) {
      Properties props = config(bootstrap);
      props.put("compression.type", codec);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
        producer.send(record(codecs, "key-" + codec, "value-" + codec + "-1", "h1", "v1", "h2", "v2"));
        producer.send(record(codecs, null, "value-" + codec + "-2", "trace", "t-" + codec));
        producer.send(record(codecs, "key-" + codec + "-3", null, "empty", null));
        producer.flush();
      }
    }

    Properties bulk = config(bootstrap);
    bulk.put("compression.type", "none");
    bulk.put("batch.size", "16384");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(bulk)) {
      String padding = "p".repeat(900);
      for (int i = 0; i < 2600; i++) producer.send(record(multi, "k" + i, "multi-" + i + "-" + padding));
      producer.flush();
    }

    Properties tx = config(bootstrap);
    tx.put("transactional.id", "log-dir-fixtures-" + txn);
    tx.put("compression.type", "gzip");
    tx.put("transaction.timeout.ms", "60000");
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(tx);
    producer.initTransactions();
    producer.beginTransaction();
    for (int i = 0; i < 3; i++) producer.send(record(txn, "c" + i, "committed-" + i));
    producer.commitTransaction();
    producer.beginTransaction();
    for (int i = 0; i < 2; i++) producer.send(record(txn, "a" + i, "aborted-" + i));
    producer.flush();
    producer.abortTransaction();
    producer.beginTransaction();
    for (int i = 0; i < 2; i++) producer.send(record(txn, "o" + i, "open-" + i));
    producer.flush();
    System.out.println("open transaction written");
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
