package httpapi

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/go-chi/chi/v5/middleware"
)

// compressedTypes are the response types worth compressing: JSON,
// GeoJSON, problems, CSV, HTML and vector tiles (MVT is uncompressed
// protobuf, typically a third of its size in gzip). Excel workbooks are
// zip files already.
var compressedTypes = []string{
	"application/json", geoJSONMedia, "application/problem+json", "application/schema+json",
	"application/vnd.oai.openapi+json", "application/vnd.mapbox-vector-tile",
	"text/csv", "text/html", "text/plain",
}

// compressionLevel trades CPU for size on a busy server: gzip 5 and
// brotli 5 compress a GeoJSON page about as well as their top levels at a
// fraction of the time.
const compressionLevel = 5

// compressor negotiates gzip or br with the client's Accept-Encoding for
// the compressedTypes and adds Vary: Accept-Encoding to what it
// compresses. It streams: each write is compressed as it comes and Flush
// passes through, so a streamed layer stays streamed.
func compressor() func(http.Handler) http.Handler {
	c := middleware.NewCompressor(compressionLevel, compressedTypes...)
	c.SetEncoder("br", func(w io.Writer, level int) io.Writer {
		return brotli.NewWriterLevel(w, level)
	})
	return func(next http.Handler) http.Handler {
		h := c.Handler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Set("Accept-Encoding", pickEncoding(r.Header.Get("Accept-Encoding")))
			h.ServeHTTP(w, r)
		})
	}
}

// pickEncoding chooses from an Accept-Encoding header the coding to use:
// br or gzip, whichever the client weighs more (br on a tie, as it is
// smaller), never one weighed q=0; "" for none.
func pickEncoding(header string) string {
	best, bestQ := "", 0.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "br" && coding != "gzip" && coding != "*" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.ReplaceAll(params, " ", ""), "="); ok && strings.EqualFold(k, "q") {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if coding == "*" {
			coding = "gzip"
		}
		if q > bestQ || (q == bestQ && q > 0 && coding == "br") {
			best, bestQ = coding, q
		}
	}
	return best
}
