// Command genproducers writes N synthetic producers as CSV and GeoJSON for
// the import benchmark (scripts/bench-import.sh).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	n := flag.Int("n", 1_000_000, "producers")
	dir := flag.String("dir", ".", "output folder")
	bbox := flag.String("bbox", "110,24,118,30", "minlon,minlat,maxlon,maxlat of the producers (the demo county: 114.02,26.5,114.38,26.8)")
	flag.Parse()
	var b [4]float64
	if _, err := fmt.Sscanf(*bbox, "%g,%g,%g,%g", &b[0], &b[1], &b[2], &b[3]); err != nil || b[0] >= b[2] || b[1] >= b[3] {
		log.Fatalf("-bbox %q: want minlon,minlat,maxlon,maxlat", *bbox)
	}
	classes := []string{"leafy_vegetable", "hardy_vegetable", "citrus", "fruit", "tea", "mushroom", "meat", "aquatic"}
	ops := []string{"family_farm", "cooperative", "enterprise", "smallholders"}
	csvF, err := os.Create(filepath.Join(*dir, "producers.csv"))
	if err != nil {
		log.Fatal(err)
	}
	jsonF, err := os.Create(filepath.Join(*dir, "producers.geojson"))
	if err != nil {
		log.Fatal(err)
	}
	cw, jw := bufio.NewWriter(csvF), bufio.NewWriter(jsonF)
	fmt.Fprintln(cw, "id,name,operator_type,product_class,annual_output_t,lon,lat")
	fmt.Fprint(jw, `{"type":"FeatureCollection","features":[`)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < *n; i++ {
		id := fmt.Sprintf("P%07d", i)
		c, o := classes[r.IntN(len(classes))], ops[r.IntN(len(ops))]
		out := 10 + r.Float64()*990
		lon, lat := b[0]+r.Float64()*(b[2]-b[0]), b[1]+r.Float64()*(b[3]-b[1])
		fmt.Fprintf(cw, "%s,Farm %d,%s,%s,%.1f,%.6f,%.6f\n", id, i, o, c, out, lon, lat)
		if i > 0 {
			jw.WriteByte(',')
		}
		fmt.Fprintf(jw, "\n{\"type\":\"Feature\",\"properties\":{\"id\":%q,\"name\":\"Farm %d\",\"operator_type\":%q,\"product_class\":%q,\"annual_output_t\":%.1f},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}", id, i, o, c, out, lon, lat)
	}
	fmt.Fprintln(jw, "\n]}")
	for _, w := range []*bufio.Writer{cw, jw} {
		if err := w.Flush(); err != nil {
			log.Fatal(err)
		}
	}
	csvF.Close()
	jsonF.Close()
}
