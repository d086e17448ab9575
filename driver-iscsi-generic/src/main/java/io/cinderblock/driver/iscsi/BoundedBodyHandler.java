package io.cinderblock.driver.iscsi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body into memory, refusing bodies larger than a limit: a broken or hostile
 * array must not exhaust the host's heap. The body is cut off as soon as the limit is passed.
 */
final class BoundedBodyHandler implements HttpResponse.BodyHandler<byte[]> {
    private final long limit;

    BoundedBodyHandler(long limit) {
        this.limit = limit;
    }

    /** Thrown (inside the response future) when a body exceeds the limit. */
    static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(long limit) {
            super("response body exceeds " + limit + " bytes");
        }
    }

    @Override
    public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        return new Subscriber(limit, declared > limit);
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final boolean refuseAtOnce;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        Subscriber(long limit, boolean refuseAtOnce) {
            this.limit = limit;
            this.refuseAtOnce = refuseAtOnce;
        }

        @Override
        public void onSubscribe(Flow.Subscription value) {
            this.subscription = value;
            if (refuseAtOnce) {
                value.cancel();
                body.completeExceptionally(new BodyTooLargeException(limit));
                return;
            }
            value.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (buffer.size() + (long) item.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new BodyTooLargeException(limit));
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            body.complete(buffer.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }
    }
}
