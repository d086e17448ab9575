package io.cinderblock.service.api;

import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors (a request line or URI it cannot parse: 400, a URI too long: 414, headers
 * too large: 431, an unknown HTTP version: 505, ...) answered as Cinder faults with request id
 * headers instead of Jetty's HTML page, so a client sees one error shape from this server.
 */
final class FaultErrorHandler extends ErrorHandler {
    private static final Map<Integer, String> EXPLANATIONS = Map.of(
            400, "The server could not comply with the request since it is either malformed or otherwise incorrect.",
            408, "The client did not send the request in time.",
            413, "Request is too large.",
            414, "The request URI is too long.",
            431, "The request header fields are too large.",
            505, "The HTTP version of the request is not supported.");

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        String explanation = EXPLANATIONS.getOrDefault(code, code >= 500
                ? "The server has either erred or is incapable of performing the requested operation."
                : "The request was not understood (HTTP " + code + ").");
        ApiResponse fault = CinderResponses.fault(code, explanation);
        response.getHeaders().remove(HttpHeader.CACHE_CONTROL);
        for (Map.Entry<String, String> header : fault.headers()) {
            if (header.getKey().equalsIgnoreCase("Content-Length")) {
                response.getHeaders().put(new HttpField(HttpHeader.CONTENT_LENGTH, header.getValue()));
            } else if (header.getKey().equalsIgnoreCase("Content-Type")) {
                response.getHeaders().put(new HttpField(HttpHeader.CONTENT_TYPE, header.getValue()));
            } else {
                response.getHeaders().put(header.getKey(), header.getValue());
            }
        }
        response.write(true, request.getMethod().equals("HEAD") ? null : ByteBuffer.wrap(fault.body()), callback);
    }
}
