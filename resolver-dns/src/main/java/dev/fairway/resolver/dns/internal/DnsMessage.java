package dev.fairway.resolver.dns.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * DNS messages in the wire format of RFC 1035: queries to write, responses to read. Reading is total and bounded:
 * every length is checked against the message, compression pointers may only point backwards (so they cannot loop),
 * a name is at most 255 bytes, and anything else is an {@link IOException} saying what is malformed. Reading
 * allocates at most about 70 times the message's size (64 KiB, the largest TCP answer, costs at most about 4.5 MB:
 * every compressed owner name decodes to a string of its own; measured by {@code FuzzTest}).
 *
 * <p>Only what a stub resolver needs is decoded: A, AAAA, CNAME and SRV records of class IN in the answer section,
 * and the SOA record of the authority section (for the TTL of a negative answer, RFC 2308). Other records are
 * skipped; the additional section is not read.
 */
final class DnsMessage {

    /** Record type A. */
    static final int A = 1;
    /** Record type CNAME. */
    static final int CNAME = 5;
    /** Record type SOA. */
    static final int SOA = 6;
    /** Record type AAAA. */
    static final int AAAA = 28;
    /** Record type SRV. */
    static final int SRV = 33;
    /** Record type OPT (EDNS, RFC 6891). */
    static final int OPT = 41;

    /** Response code: no error. */
    static final int NOERROR = 0;
    /** Response code: the server could not read the query. */
    static final int FORMERR = 1;
    /** Response code: the server failed. */
    static final int SERVFAIL = 2;
    /** Response code: the name does not exist. */
    static final int NXDOMAIN = 3;
    /** Response code: the server does not do this kind of query. */
    static final int NOTIMP = 4;
    /** Response code: the server will not answer this client. */
    static final int REFUSED = 5;

    /** The UDP payload this client announces with EDNS: the size the DNS flag day 2020 agreed on. */
    static final int UDP_PAYLOAD = 1232;
    /** The longest name on the wire, in bytes (RFC 1035 §2.3.4). */
    static final int MAX_NAME = 255;
    /** The longest label, in bytes. */
    static final int MAX_LABEL = 63;
    /** How many compression pointers one name may follow (each must point further back, so this only bounds work). */
    static final int MAX_POINTERS = 127;
    /** How many CNAMEs a chain in one answer may have before it counts as a loop. */
    static final int MAX_CHAIN = 8;

    private static final int CLASS_IN = 1;
    private static final int HEADER = 12;

    private DnsMessage() {
    }

    /**
     * One record of the answer section that this client reads.
     *
     * @param name     the owner name, lower case, without the final dot
     * @param type     {@link #A}, {@link #AAAA}, {@link #CNAME} or {@link #SRV}
     * @param ttl      seconds, 0 to 2^31 − 1 (larger values read as 0, RFC 2181 §8)
     * @param address  the address of an A or AAAA record, else {@code null}
     * @param target   the target name of a CNAME or SRV record, else {@code null}
     * @param priority the SRV priority, else 0
     * @param weight   the SRV weight, else 0
     * @param port     the SRV port, else 0
     */
    record Record(String name, int type, long ttl, InetAddress address, String target, int priority, int weight, int port) {
    }

    /**
     * A response, read.
     *
     * @param id           the message id
     * @param rcode        the response code
     * @param truncated    whether the TC bit is set (the answer did not fit: ask again over TCP)
     * @param questionName the question's name, lower case without the final dot; {@code null} when the response
     *                     carries no question (some servers send errors that way)
     * @param questionType the question's type, or 0 without a question
     * @param answers      the records of the answer section this client reads
     * @param negativeTtl  the TTL of a negative answer from the authority section's SOA record (the lesser of its TTL
     *                     and its MINIMUM field), or −1 without one
     */
    record Response(int id, int rcode, boolean truncated, String questionName, int questionType, List<Record> answers,
                    long negativeTtl) {

        /**
         * Whether this is the response to the query {@code id} for {@code name} and {@code type}: same id and, unless
         * it is an error without a question, the same question.
         */
        boolean answers(int queryId, String name, int type) {
            if (id != queryId) {
                return false;
            }
            if (questionName == null) {
                return rcode != NOERROR && rcode != NXDOMAIN;
            }
            return questionType == type && questionName.equals(lower(name));
        }

        /**
         * The records of {@code type} for {@code name}, following the CNAME chain that starts at {@code name} within
         * this answer.
         *
         * @param name the asked name
         * @param type the asked type
         * @return the records and the least TTL along the chain; no records when the chain ends elsewhere
         * @throws IOException when the chain is longer than {@link #MAX_CHAIN} (a loop)
         */
        Chain follow(String name, int type) throws IOException {
            String current = lower(name);
            long ttl = Long.MAX_VALUE;
            for (int hop = 0; hop <= MAX_CHAIN; hop++) {
                List<Record> found = new ArrayList<>();
                String alias = null;
                long aliasTtl = 0;
                for (Record r : answers) {
                    if (!r.name().equals(current)) {
                        continue;
                    }
                    if (r.type() == type) {
                        found.add(r);
                        ttl = Math.min(ttl, r.ttl());
                    } else if (r.type() == CNAME && alias == null) {
                        alias = r.target();
                        aliasTtl = r.ttl();
                    }
                }
                if (!found.isEmpty() || alias == null) {
                    return new Chain(current, found, found.isEmpty() ? -1 : ttl);
                }
                ttl = Math.min(ttl, aliasTtl);
                current = alias;
            }
            throw new IOException("malformed answer: the CNAME chain from " + name + " is longer than " + MAX_CHAIN
                    + " (a loop?)");
        }
    }

    /**
     * The end of a CNAME chain.
     *
     * @param canonical the name the records belong to
     * @param records   the records of the asked type; may be empty
     * @param ttl       the least TTL of the records and the CNAMEs leading to them, −1 without records
     */
    record Chain(String canonical, List<Record> records, long ttl) {
    }

    /**
     * Writes a query: one question, recursion desired, and with {@code edns} an OPT record announcing
     * {@link #UDP_PAYLOAD} bytes.
     *
     * @param id   the message id, 0 to 65535
     * @param name the name, with or without the final dot
     * @param type the record type
     * @param edns whether to add the OPT record
     * @return the message
     * @throws UnknownHostException when {@code name} is not a valid DNS name (an empty label, a label over 63
     *                              bytes, over 255 bytes in all, or characters outside printable ASCII)
     */
    static byte[] query(int id, String name, int type, boolean edns) throws UnknownHostException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER + name.length() + 2 + 4 + 11);
        out.write(id >> 8);
        out.write(id);
        out.write(0x01);                                   // QR=0, opcode 0, RD=1
        out.write(0x00);
        writeShort(out, 1);                                // one question
        writeShort(out, 0);
        writeShort(out, 0);
        writeShort(out, edns ? 1 : 0);
        writeName(out, name);
        writeShort(out, type);
        writeShort(out, CLASS_IN);
        if (edns) {
            out.write(0);                                  // root
            writeShort(out, OPT);
            writeShort(out, UDP_PAYLOAD);                  // the class field carries the payload size
            writeShort(out, 0);                            // extended rcode, version 0
            writeShort(out, 0);                            // flags
            writeShort(out, 0);                            // no options
        }
        return out.toByteArray();
    }

    private static void writeName(ByteArrayOutputStream out, String name) throws UnknownHostException {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty()) {
            throw new UnknownHostException("'" + name + "' is not a DNS name");
        }
        int total = 1;
        for (String label : n.split("\\.", -1)) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length == 0 || bytes.length > MAX_LABEL) {
                throw new UnknownHostException("'" + name + "' is not a DNS name: each label must have 1 to " + MAX_LABEL
                        + " characters");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (c <= 0x20 || c >= 0x7F || c == '\\') {
                    throw new UnknownHostException("'" + name + "' is not a DNS name: character " + (int) c + " is not allowed");
                }
            }
            total += bytes.length + 1;
            if (total > MAX_NAME) {
                throw new UnknownHostException("'" + name + "' is not a DNS name: it is longer than " + MAX_NAME + " bytes");
            }
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        out.write(0);
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }

    /**
     * Reads a response.
     *
     * @param m      the buffer
     * @param length how many bytes of it the message has
     * @return the response
     * @throws IOException saying what is malformed, when it is not a well-formed DNS response
     */
    static Response parse(byte[] m, int length) throws IOException {
        Reader r = new Reader(m, length);
        if (length < HEADER) {
            throw new IOException("malformed response: " + length + " bytes, shorter than a DNS header");
        }
        int id = r.u16();
        int flags = r.u16();
        if ((flags & 0x8000) == 0) {
            throw new IOException("malformed response: the QR bit is not set (a query, not a response)");
        }
        if (((flags >> 11) & 0xF) != 0) {
            throw new IOException("malformed response: opcode " + ((flags >> 11) & 0xF) + " instead of 0 (QUERY)");
        }
        boolean truncated = (flags & 0x0200) != 0;
        int rcode = flags & 0xF;
        int questions = r.u16();
        int answerCount = r.u16();
        int authorityCount = r.u16();
        r.u16();                                            // additional records: not read
        if (questions > 1) {
            throw new IOException("malformed response: " + questions + " questions (a response has at most one)");
        }
        String questionName = null;
        int questionType = 0;
        if (questions == 1) {
            questionName = r.name();
            questionType = r.u16();
            int questionClass = r.u16();
            if (questionClass != CLASS_IN) {
                throw new IOException("malformed response: question class " + questionClass + " instead of IN");
            }
        }
        if (truncated) {
            // The answer did not fit: whatever follows may be cut anywhere; the caller asks again over TCP.
            return new Response(id, rcode, true, questionName, questionType, List.of(), -1);
        }
        List<Record> answers = new ArrayList<>(Math.min(answerCount, 64));
        for (int i = 0; i < answerCount; i++) {
            Record record = r.record(false);
            if (record != null) {
                answers.add(record);
            }
        }
        long negativeTtl = -1;
        for (int i = 0; i < authorityCount; i++) {
            Record soa = r.record(true);
            if (soa != null && soa.type() == SOA) {
                negativeTtl = soa.ttl();
            }
        }
        return new Response(id, rcode, truncated, questionName, questionType, List.copyOf(answers), negativeTtl);
    }

    /** A response code's name, for messages. */
    static String rcodeName(int rcode) {
        return switch (rcode) {
            case NOERROR -> "NOERROR";
            case FORMERR -> "FORMERR";
            case SERVFAIL -> "SERVFAIL";
            case NXDOMAIN -> "NXDOMAIN";
            case NOTIMP -> "NOTIMP";
            case REFUSED -> "REFUSED";
            default -> "RCODE " + rcode;
        };
    }

    /** A record type's name, for messages. */
    static String typeName(int type) {
        return switch (type) {
            case A -> "A";
            case AAAA -> "AAAA";
            case CNAME -> "CNAME";
            case SRV -> "SRV";
            case SOA -> "SOA";
            default -> "TYPE" + type;
        };
    }

    /** A name in lower case without the final dot, as names are compared here. */
    static String lower(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }

    /** Reads a message front to back, checking every length. */
    private static final class Reader {
        private final byte[] m;
        private final int length;
        private int at;

        Reader(byte[] m, int length) {
            if (length < 0 || length > m.length) {
                throw new IllegalArgumentException("length " + length);
            }
            this.m = m;
            this.length = length;
        }

        int remaining() {
            return length - at;
        }

        private void need(int n, String what) throws IOException {
            if (n > length - at) {
                throw new IOException("malformed response: " + what + " at byte " + at + " runs past the end of the "
                        + length + "-byte message");
            }
        }

        int u8() throws IOException {
            need(1, "a byte");
            return m[at++] & 0xFF;
        }

        int u16() throws IOException {
            need(2, "a 16-bit field");
            int v = (m[at] & 0xFF) << 8 | m[at + 1] & 0xFF;
            at += 2;
            return v;
        }

        long u32() throws IOException {
            need(4, "a 32-bit field");
            long v = ((long) (m[at] & 0xFF) << 24) | (m[at + 1] & 0xFF) << 16 | (m[at + 2] & 0xFF) << 8 | m[at + 3] & 0xFF;
            at += 4;
            return v;
        }

        /** A name at the current position; the position moves past it (past the first pointer, if any). */
        String name() throws IOException {
            StringBuilder out = new StringBuilder(32);
            int p = at;
            int end = -1;
            int wire = 1;
            int limit = at;                                 // a pointer must point before the label that holds it
            int pointers = 0;
            while (true) {
                if (p >= length) {
                    throw new IOException("malformed response: a name at byte " + at + " runs past the end");
                }
                int len = m[p] & 0xFF;
                if ((len & 0xC0) == 0xC0) {
                    if (p + 1 >= length) {
                        throw new IOException("malformed response: a compression pointer at byte " + p + " is cut off");
                    }
                    int target = (len & 0x3F) << 8 | m[p + 1] & 0xFF;
                    if (target >= Math.min(p, limit)) {
                        throw new IOException("malformed response: a compression pointer at byte " + p
                                + " points forward (to " + target + ")");
                    }
                    if (++pointers > MAX_POINTERS) {
                        throw new IOException("malformed response: a name at byte " + at + " follows more than "
                                + MAX_POINTERS + " compression pointers");
                    }
                    if (end < 0) {
                        end = p + 2;
                    }
                    limit = target;
                    p = target;
                    continue;
                }
                if ((len & 0xC0) != 0) {
                    throw new IOException("malformed response: label type " + (len >> 6) + " at byte " + p);
                }
                if (len == 0) {
                    if (end < 0) {
                        end = p + 1;
                    }
                    break;
                }
                wire += len + 1;
                if (wire > MAX_NAME) {
                    throw new IOException("malformed response: a name at byte " + at + " is longer than " + MAX_NAME
                            + " bytes");
                }
                if (p + 1 + len > length) {
                    throw new IOException("malformed response: a label at byte " + p + " runs past the end");
                }
                if (!out.isEmpty()) {
                    out.append('.');
                }
                for (int i = p + 1; i <= p + len; i++) {
                    int c = m[i] & 0xFF;
                    if (c >= 'A' && c <= 'Z') {
                        out.append((char) (c + 32));
                    } else if (c > 0x20 && c < 0x7F && c != '.' && c != '\\') {
                        out.append((char) c);
                    } else {
                        // \DDD (RFC 1035 §5.1), written by hand: String.format would allocate kilobytes per byte
                        out.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10))
                                .append((char) ('0' + c % 10));
                    }
                }
                p += len + 1;
            }
            at = end;
            return out.toString();
        }

        /**
         * One resource record; {@code null} when it is of a type or class this client does not read.
         *
         * @param authority whether it is in the authority section (only SOA is read there)
         */
        Record record(boolean authority) throws IOException {
            String name = name();
            int type = u16();
            int recordClass = u16();
            long rawTtl = u32();
            long ttl = rawTtl > Integer.MAX_VALUE ? 0 : rawTtl;
            int rdLength = u16();
            need(rdLength, "record data of " + rdLength + " bytes");
            int start = at;
            int end = at + rdLength;
            Record record = null;
            if (recordClass == CLASS_IN) {
                if (authority) {
                    if (type == SOA) {
                        name();                             // MNAME
                        name();                             // RNAME
                        need(20, "SOA fields");
                        at += 16;                           // serial, refresh, retry, expire
                        long minimum = u32();
                        record = new Record(name, SOA, Math.min(ttl, minimum > Integer.MAX_VALUE ? 0 : minimum),
                                null, null, 0, 0, 0);
                    }
                } else {
                    record = switch (type) {
                        case A, AAAA -> {
                            int size = type == A ? 4 : 16;
                            if (rdLength != size) {
                                throw new IOException("malformed response: " + typeName(type) + " record for " + name
                                        + " has " + rdLength + " bytes of data instead of " + size);
                            }
                            byte[] address = new byte[size];
                            System.arraycopy(m, at, address, 0, size);
                            at += size;
                            yield new Record(name, type, ttl, InetAddress.getByAddress(address), null, 0, 0, 0);
                        }
                        case CNAME -> new Record(name, type, ttl, null, name(), 0, 0, 0);
                        case SRV -> {
                            int priority = u16();
                            int weight = u16();
                            int port = u16();
                            yield new Record(name, type, ttl, null, name(), priority, weight, port);
                        }
                        default -> null;
                    };
                }
            }
            if (record != null && at != end) {
                throw new IOException("malformed response: the " + typeName(type) + " record for " + name + " declares "
                        + rdLength + " bytes of data but holds " + (at - start));
            }
            at = end;
            return record;
        }
    }
}
