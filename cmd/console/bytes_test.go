package console

import "testing"

func TestBytes(t *testing.T) {
	for n, want := range map[float64]string{
		0: "0 B", 512: "512 B", 1536: "1.5 KiB", 2 << 30: "2 GiB", 1.2 * (1 << 30): "1.2 GiB", 1 << 40: "1 TiB", 1023: "1023 B",
	} {
		if got := Bytes(n); got != want {
			t.Errorf("%v: %q, want %q", n, got, want)
		}
	}
}
