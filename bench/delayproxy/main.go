// Command delayproxy forwards TCP connections with a fixed delay in each
// direction, to measure drover's NATS submission as if the server were on
// another machine:
//
//	delayproxy LISTEN TARGET DELAY     e.g. delayproxy 127.0.0.1:24301 127.0.0.1:4222 1ms
//
// It is a benchmark tool only; see bench/RESULTS.md.
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

// chunk is data read at a time, to be written delay after it.
type chunk struct {
	at   time.Time
	data []byte
}

// forward copies src to dst, each chunk delay after it was read, in order.
func forward(dst, src net.Conn, delay time.Duration) {
	chunks := make(chan chunk, 4096)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range chunks {
			time.Sleep(time.Until(c.at.Add(delay)))
			if _, err := dst.Write(c.data); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunks <- chunk{time.Now(), append([]byte(nil), buf[:n]...)}
		}
		if err != nil {
			close(chunks)
			<-done
			dst.Close()
			return
		}
	}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: delayproxy LISTEN TARGET DELAY")
		os.Exit(2)
	}
	delay, err := time.ParseDuration(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			s, err := net.Dial("tcp", os.Args[2])
			if err != nil {
				c.Close()
				return
			}
			go forward(s, c, delay)
			forward(c, s, delay)
		}()
	}
}
