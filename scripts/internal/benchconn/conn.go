// Package benchconn is the small RESP client the benchmark helpers under
// scripts/ share: buffered, pipelining-friendly, loopback only by use.
package benchconn

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// Conn is a buffered RESP connection. Send queues a command; W.Flush sends
// what is queued; Reply reads one reply.
type Conn struct {
	C net.Conn
	R *bufio.Reader
	W *bufio.Writer
}

// Dial connects to addr.
func Dial(addr string) (*Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Conn{c, bufio.NewReaderSize(c, 1<<16), bufio.NewWriterSize(c, 1<<16)}, nil
}

// Send queues one command.
func (c *Conn) Send(args ...string) {
	fmt.Fprintf(c.W, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.W, "$%d\r\n%s\r\n", len(a), a)
	}
}

// Reply reads one reply (nested arrays skipped) and returns its first line
// or bulk payload; an error reply is an error.
func (c *Conn) Reply() (string, error) {
	line, err := c.R.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply line")
	}
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.R, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		for i := 0; i < n; i++ {
			if _, err := c.Reply(); err != nil {
				return "", err
			}
		}
		return line, nil
	case '-':
		return line, errors.New(line)
	}
	return line, nil
}

// Do sends one command and reads its reply.
func (c *Conn) Do(args ...string) (string, error) {
	c.Send(args...)
	if err := c.W.Flush(); err != nil {
		return "", err
	}
	return c.Reply()
}
