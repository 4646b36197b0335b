package console

import (
	"math"
	"strconv"
	"strings"
)

// Bytes says a byte count for people: "512 B", "1.2 GiB", "2 GiB".
func Bytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	u := 0
	for n >= 1024 && u < len(units)-1 {
		n /= 1024
		u++
	}
	s := strconv.FormatFloat(n, 'f', 1, 64)
	if u == 0 || strings.HasSuffix(s, ".0") {
		s = strconv.FormatFloat(math.Round(n*10)/10, 'f', -1, 64)
	}
	return s + " " + units[u]
}
