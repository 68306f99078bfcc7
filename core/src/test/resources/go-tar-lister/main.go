// Command go-tar-lister lists the entries of a tar stream as Go's archive/tar reads them, which is
// how containerd, Docker and podman read image layers. It is the oracle of jscan's differential
// tar test (core's GoTarDifferentialTest): jscan's TarReader must list the same entries.
//
// Global PAX headers are skipped, as containerd's archive package skips tar.TypeXGlobalHeader when
// it applies a layer. Every other entry's content is read to its end (that is where Go reports a
// sparse file's missing or unreferenced data), hashed, and printed as one JSON object per line:
// strings as hex of their bytes, so names that are not UTF-8 compare exactly. The last line is
// {"end":true} or {"error":"..."}.
//
// Usage: go-tar-lister FILE (or - for standard input). Standard library only, so it builds offline.
package main

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

type entry struct {
	Name      string            `json:"name"`
	Linkname  string            `json:"linkname"`
	Typeflag  int               `json:"typeflag"`
	Mode      int64             `json:"mode"`
	UID       int               `json:"uid"`
	GID       int               `json:"gid"`
	Uname     string            `json:"uname"`
	Gname     string            `json:"gname"`
	Size      int64             `json:"size"`
	MtimeSec  int64             `json:"mtime_sec"`
	MtimeNsec int               `json:"mtime_nsec"`
	Devmajor  int64             `json:"devmajor"`
	Devminor  int64             `json:"devminor"`
	Xattrs    map[string]string `json:"xattrs"`
	Sha256    string            `json:"sha256"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-tar-lister FILE|-")
		os.Exit(2)
	}
	var in io.Reader = os.Stdin
	if os.Args[1] != "-" {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	tr := tar.NewReader(bufio.NewReaderSize(in, 1<<16))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			enc.Encode(map[string]bool{"end": true})
			return
		}
		if err != nil {
			enc.Encode(map[string]string{"error": err.Error()})
			return
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue // as containerd's archive.Apply does
		}
		h := sha256.New()
		if _, err := io.Copy(h, tr); err != nil {
			enc.Encode(map[string]string{"error": err.Error()})
			return
		}
		xattrs := map[string]string{}
		for k, v := range hdr.PAXRecords {
			if strings.HasPrefix(k, "SCHILY.xattr.") {
				xattrs[hex.EncodeToString([]byte(k[len("SCHILY.xattr."):]))] = hex.EncodeToString([]byte(v))
			}
		}
		enc.Encode(entry{
			Name:      hex.EncodeToString([]byte(hdr.Name)),
			Linkname:  hex.EncodeToString([]byte(hdr.Linkname)),
			Typeflag:  int(hdr.Typeflag),
			Mode:      hdr.Mode,
			UID:       hdr.Uid,
			GID:       hdr.Gid,
			Uname:     hex.EncodeToString([]byte(hdr.Uname)),
			Gname:     hex.EncodeToString([]byte(hdr.Gname)),
			Size:      hdr.Size,
			MtimeSec:  hdr.ModTime.Unix(),
			MtimeNsec: hdr.ModTime.Nanosecond(),
			Devmajor:  hdr.Devmajor,
			Devminor:  hdr.Devminor,
			Xattrs:    xattrs,
			Sha256:    hex.EncodeToString(h.Sum(nil)),
		})
	}
}
