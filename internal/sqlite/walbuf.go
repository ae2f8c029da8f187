package sqlite

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// walBufVFS is the name of a VFS that is SQLite's own (unix) VFS but for one thing: the
// writes to a WAL file are gathered in memory and handed to the file in one pwrite(2) per
// commit, instead of two per frame (a frame's 24-byte header, then its page).
//
// Why: under write load the writer commits about 5 frames per CreateBackend, and those
// pwrites were a fifth of the writer goroutine's CPU (a system call costs microseconds in
// these VMs, whatever its size). What SQLite writes, where and when it syncs are unchanged:
// the buffer holds only a contiguous run of writes of one commit, and it is written out
// before anything that could observe the file (a read, a sync, a size, a truncation, a
// close, a write elsewhere) and as soon as the commit's last frame is in it. A commit's
// frames thus reach the file before its xSync, in the order SQLite wrote them, so
// durability and what readers see are as without the buffer.
//
// Only the writer's connection (and the migrations', which share its settings) opens the
// database through this VFS; readers use the default one.
//
// It relies on how modernc.org/sqlite (pinned in go.mod) lays out SQLite's structures and
// represents C function pointers, as that module's own vfs package does. The tests of this
// file (a commit reaches the file in few writes; a copy of the files taken once Updates
// returned opens whole with SQLite's own VFS), the store suite and the end-to-end kill -9
// tests hold it to that at every upgrade.
const walBufVFS = "amplifybackendd-walbuf"

// walBufMax bounds a buffer: a commit larger than this goes to the file every walBufMax
// bytes rather than all at its end.
const walBufMax = 4 << 20

// walFrameHeaderSize is the size of a WAL frame's header; its bytes 4 to 8 hold, for the
// last frame of a commit, the database's size in pages, and 0 in other frames.
const walFrameHeaderSize = 24

var (
	walBufOnce sync.Once
	walBufErr  error

	// SQLite keeps pointers to these: they live as long as the process.
	walBufVFSStruct sqlite3.Tsqlite3_vfs
	walBufName      = append([]byte(walBufVFS), 0)
	walBufMethods   sqlite3.Tsqlite3_io_methods

	walBufBase        *sqlite3.Tsqlite3_vfs        // the default VFS
	walBufBaseMethods *sqlite3.Tsqlite3_io_methods // its methods for a WAL file, once one is open

	walBufFilesMu sync.Mutex
	walBufFiles   = map[uintptr]*walFile{} // by the sqlite3_file's address

	// What SQLite wrote to WAL files through this VFS, and the writes the files received
	// (tests check that the second is a small part of the first).
	walBufWrites, walBufFileWrites atomic.Int64
)

// walFile is the pending writes of one open WAL file: buf holds bytes for the offsets
// start .. start+len(buf).
type walFile struct {
	buf    []byte
	start  int64
	commit bool // the last write was the header of a commit's last frame
}

// registerWALBufVFS registers walBufVFS once per process.
func registerWALBufVFS() error {
	walBufOnce.Do(func() {
		tls := libc.NewTLS()
		defer tls.Close()
		base := sqlite3.Xsqlite3_vfs_find(tls, 0)
		if base == 0 {
			walBufErr = fmt.Errorf("no default SQLite VFS")
			return
		}
		walBufBase = cptr[sqlite3.Tsqlite3_vfs](base)
		walBufVFSStruct = *walBufBase
		walBufVFSStruct.FpNext = 0
		walBufVFSStruct.FzName = uintptr(unsafe.Pointer(&walBufName[0]))
		*(*func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32)(unsafe.Pointer(&walBufVFSStruct.FxOpen)) = walBufOpen
		if rc := sqlite3.Xsqlite3_vfs_register(tls, uintptr(unsafe.Pointer(&walBufVFSStruct)), 0); rc != sqlite3.SQLITE_OK {
			walBufErr = fmt.Errorf("register the %s VFS: SQLite error %d", walBufVFS, rc)
		}
	})
	return walBufErr
}

// call turns a function pointer of SQLite's into the Go function it is: the transpiled
// SQLite keeps Go function values in uintptr fields and calls them this way.
func call[F any](fp uintptr) F { return *(*F)(unsafe.Pointer(&fp)) }

// cptr turns an address SQLite handed over into a pointer. The memory is SQLite's (its
// allocator's, outside the Go heap) or a package variable of this file, never a movable Go
// object: the conversion reads the address's bits, as the transpiled code does.
func cptr[T any](p uintptr) *T { return *(**T)(unsafe.Pointer(&p)) }

func walBufOpen(tls *libc.TLS, _ uintptr, zName uintptr, pFile uintptr, flags int32, pOutFlags uintptr) int32 {
	open := call[func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32](walBufBase.FxOpen)
	rc := open(tls, uintptr(unsafe.Pointer(walBufBase)), zName, pFile, flags, pOutFlags)
	if rc != sqlite3.SQLITE_OK || flags&sqlite3.SQLITE_OPEN_WAL == 0 {
		return rc
	}
	f := cptr[sqlite3.Tsqlite3_file](pFile)
	methods := cptr[sqlite3.Tsqlite3_io_methods](f.FpMethods)
	walBufFilesMu.Lock()
	defer walBufFilesMu.Unlock()
	if walBufBaseMethods == nil {
		walBufBaseMethods = methods
		walBufMethods = *methods
		*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&walBufMethods.FxClose)) = walBufClose
		*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&walBufMethods.FxRead)) = walBufRead
		*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&walBufMethods.FxWrite)) = walBufWrite
		*(*func(*libc.TLS, uintptr, int64) int32)(unsafe.Pointer(&walBufMethods.FxTruncate)) = walBufTruncate
		*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&walBufMethods.FxSync)) = walBufSync
		*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&walBufMethods.FxFileSize)) = walBufFileSize
	}
	if methods != walBufBaseMethods {
		return rc // another kind of file than the first WAL's: left unbuffered
	}
	walBufFiles[pFile] = &walFile{}
	f.FpMethods = uintptr(unsafe.Pointer(&walBufMethods))
	return rc
}

func walBufState(pFile uintptr) *walFile {
	walBufFilesMu.Lock()
	defer walBufFilesMu.Unlock()
	return walBufFiles[pFile]
}

// walBufPiece is the most one write to the file may carry: SQLite's unix VFS masks a write's
// length to 17 bits (seekAndWriteFd: nBuf &= 0x1ffff), as its own writes are a page at most.
const walBufPiece = 0x1ffff

// flush writes out what w holds.
func (w *walFile) flush(tls *libc.TLS, pFile uintptr) int32 {
	write := call[func(*libc.TLS, uintptr, uintptr, int32, int64) int32](walBufBaseMethods.FxWrite)
	rc := int32(sqlite3.SQLITE_OK)
	for off := 0; off < len(w.buf) && rc == sqlite3.SQLITE_OK; off += walBufPiece {
		n := min(walBufPiece, len(w.buf)-off)
		rc = write(tls, pFile, uintptr(unsafe.Pointer(&w.buf[off])), int32(n), w.start+int64(off))
		walBufFileWrites.Add(1)
	}
	w.buf = w.buf[:0]
	w.commit = false
	return rc
}

func walBufWrite(tls *libc.TLS, pFile uintptr, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	walBufWrites.Add(1)
	w := walBufState(pFile)
	if len(w.buf) > 0 && iOfst != w.start+int64(len(w.buf)) {
		if rc := w.flush(tls, pFile); rc != sqlite3.SQLITE_OK {
			return rc
		}
	}
	if len(w.buf) == 0 {
		w.start = iOfst
	}
	p := unsafe.Slice(cptr[byte](zBuf), iAmt)
	w.buf = append(w.buf, p...)
	switch {
	case w.commit:
		// The page of a commit's last frame: the commit is whole.
		return w.flush(tls, pFile)
	case iAmt == walFrameHeaderSize && binary.BigEndian.Uint32(p[4:8]) != 0:
		w.commit = true
	case len(w.buf) >= walBufMax:
		return w.flush(tls, pFile)
	}
	return sqlite3.SQLITE_OK
}

func walBufRead(tls *libc.TLS, pFile uintptr, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	if rc := walBufState(pFile).flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return call[func(*libc.TLS, uintptr, uintptr, int32, int64) int32](walBufBaseMethods.FxRead)(tls, pFile, zBuf, iAmt, iOfst)
}

func walBufTruncate(tls *libc.TLS, pFile uintptr, size int64) int32 {
	if rc := walBufState(pFile).flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return call[func(*libc.TLS, uintptr, int64) int32](walBufBaseMethods.FxTruncate)(tls, pFile, size)
}

func walBufSync(tls *libc.TLS, pFile uintptr, flags int32) int32 {
	if rc := walBufState(pFile).flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return call[func(*libc.TLS, uintptr, int32) int32](walBufBaseMethods.FxSync)(tls, pFile, flags)
}

func walBufFileSize(tls *libc.TLS, pFile uintptr, pSize uintptr) int32 {
	if rc := walBufState(pFile).flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return call[func(*libc.TLS, uintptr, uintptr) int32](walBufBaseMethods.FxFileSize)(tls, pFile, pSize)
}

func walBufClose(tls *libc.TLS, pFile uintptr) int32 {
	rc := walBufState(pFile).flush(tls, pFile)
	walBufFilesMu.Lock()
	delete(walBufFiles, pFile)
	walBufFilesMu.Unlock()
	if crc := call[func(*libc.TLS, uintptr) int32](walBufBaseMethods.FxClose)(tls, pFile); rc == sqlite3.SQLITE_OK {
		rc = crc
	}
	return rc
}
