package journal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// frameHeader is a record's header: its length and the CRC-32C of its bytes, both little-endian
// u32.
const frameHeader = 8

// maxRecord bounds one record, so that a corrupted length never makes a reader allocate
// gigabytes.
const maxRecord = 256 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendFrame appends rec, framed, to buf.
func appendFrame(buf, rec []byte) []byte {
	var h [frameHeader]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(len(rec)))
	binary.LittleEndian.PutUint32(h[4:], crc32.Checksum(rec, castagnoli))
	return append(append(buf, h[:]...), rec...)
}

// errTorn marks the end of the intact records of a file: what follows is a record a crash cut
// short, or bytes that are not a record at all.
var errTorn = errors.New("torn record")

// readFrames reads the intact records of r in order and returns them with the number of bytes
// they take. Reading stops at the first record that is cut short or fails its checksum: a crash
// can only tear the last one, and nothing after a bad record is trusted.
func readFrames(r io.Reader) (recs [][]byte, good int64, err error) {
	br := bufio.NewReader(r)
	for {
		rec, err := readFrame(br)
		switch {
		case err == io.EOF:
			return recs, good, nil
		case errors.Is(err, errTorn):
			return recs, good, nil
		case err != nil:
			return recs, good, err
		}
		recs = append(recs, rec)
		good += int64(frameHeader + len(rec))
	}
}

func readFrame(br *bufio.Reader) ([]byte, error) {
	var h [frameHeader]byte
	n, err := io.ReadFull(br, h[:])
	switch {
	case n == 0 && err == io.EOF:
		return nil, io.EOF
	case err == io.ErrUnexpectedEOF:
		return nil, errTorn
	case err != nil:
		return nil, err
	}
	size := binary.LittleEndian.Uint32(h[0:])
	if size > maxRecord {
		return nil, fmt.Errorf("%w: length %d", errTorn, size)
	}
	rec := make([]byte, size)
	if _, err := io.ReadFull(br, rec); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, errTorn
		}
		return nil, err
	}
	if crc32.Checksum(rec, castagnoli) != binary.LittleEndian.Uint32(h[4:]) {
		return nil, errTorn
	}
	return rec, nil
}
