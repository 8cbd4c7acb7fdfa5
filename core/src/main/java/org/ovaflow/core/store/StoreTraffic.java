package org.ovaflow.core.store;

/**
 * What ovaflow asks a store to move, as one stage asks it: the bytes it reads ({@link Op#GET}), writes
 * ({@link Op#PUT}) and has the store copy on its side ({@link Op#COPY}), and the requests it sends. Counted on the
 * client, so it is the same for any S3 store: what a byte costs differs (a COPY on a filesystem-backed store is a
 * read and a write; on AWS neither crosses the network), how many bytes ovaflow asks to move does not.
 */
public interface StoreTraffic {

    /** Counts nothing: a store nobody meters. */
    StoreTraffic NONE = new StoreTraffic() {
        @Override
        public void bytes(Op op, long bytes) {
        }

        @Override
        public void request(Request request) {
        }
    };

    /** The direction of the bytes of a request. */
    enum Op {
        /** Read from the store by ovaflow. */
        GET,
        /** Written into the store by ovaflow. */
        PUT,
        /** Copied by the store from one object (or a range of one) to another, not through ovaflow. */
        COPY;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The kind of a request sent to the store. */
    enum Request {
        GET, PUT, COPY, HEAD, LIST, DELETE,
        /** Starting, completing or aborting a multipart upload (its parts are PUTs, or COPYs for copied ranges). */
        UPLOAD;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    void bytes(Op op, long bytes);

    void request(Request request);
}
