//! A small reader for the one kind of zip ebguard needs: a source bundle of at most 500 MB
//! (EB's limit; the EB CLI refuses over 512 MB), whose central directory names every entry with
//! its Unix mode, and whose few files under `.ebextensions/` and `.platform/` are read, stored
//! or deflated. Entries are never extracted to disk.
//!
//! Why not the `zip` crate: it brings compression back-ends, encryption and writers we never
//! use; this reads the central directory (zip64 included, as Python's `zipfile` writes it past
//! 65,535 entries) and inflates with `miniz_oxide` (pure Rust, no C), ~150 lines.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Unix host in "version made by" (APPNOTE 4.4.2); Info-ZIP's `unzip` honours the mode in the
/// upper 16 bits of the external attributes only for such entries.
const HOST_UNIX: u8 = 3;

/// One central directory record.
#[derive(Debug, Clone)]
pub struct ZipEntry {
    pub name: String,
    /// `Some(st_mode)` when the entry carries a Unix mode (Unix host, non-zero upper bits).
    pub unix_mode: Option<u32>,
    /// The entry was written on a Unix host (even with a zero mode).
    pub unix_host: bool,
    method: u16,
    compressed: u64,
    size: u64,
    local_offset: u64,
}

impl ZipEntry {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/') || self.unix_mode.is_some_and(|m| m & 0o170000 == 0o040000)
    }
    pub fn is_symlink(&self) -> bool {
        self.unix_mode.is_some_and(|m| m & 0o170000 == 0o120000)
    }
}

#[derive(Debug)]
pub struct ZipFile {
    pub path: PathBuf,
    pub entries: Vec<ZipEntry>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl ZipFile {
    pub fn open(path: &Path) -> Result<ZipFile, String> {
        let bad = |why: &str| format!("{}: not a readable zip file: {why}", path.display());
        let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let len = file
            .metadata()
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        // The end of central directory record is in the last 22 + 65,535 bytes.
        let tail_len = len.min(22 + 65_535);
        let mut tail = vec![0; tail_len as usize];
        file.seek(SeekFrom::Start(len - tail_len))
            .and_then(|_| file.read_exact(&mut tail))
            .map_err(|e| bad(&e.to_string()))?;
        let eocd = (0..tail.len().saturating_sub(21))
            .rev()
            .find(|&i| tail[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
            .ok_or_else(|| bad("no end of central directory record"))?;
        let mut count = u64::from(u16_at(&tail, eocd + 10));
        let mut cd_size = u64::from(u32_at(&tail, eocd + 12));
        let mut cd_offset = u64::from(u32_at(&tail, eocd + 16));
        // zip64: a locator right before the record points at the zip64 end record.
        if eocd >= 20 && tail[eocd - 20..eocd - 16] == [0x50, 0x4b, 0x06, 0x07] {
            let at = u64_at(&tail, eocd - 20 + 8);
            let mut rec = [0u8; 56];
            file.seek(SeekFrom::Start(at))
                .and_then(|_| file.read_exact(&mut rec))
                .map_err(|e| bad(&e.to_string()))?;
            if rec[..4] != [0x50, 0x4b, 0x06, 0x06] {
                return Err(bad("broken zip64 end record"));
            }
            count = u64_at(&rec, 32);
            cd_size = u64_at(&rec, 40);
            cd_offset = u64_at(&rec, 48);
        }
        if cd_offset.saturating_add(cd_size) > len {
            return Err(bad("the central directory lies outside the file"));
        }
        let mut cd = vec![0; cd_size as usize];
        file.seek(SeekFrom::Start(cd_offset))
            .and_then(|_| file.read_exact(&mut cd))
            .map_err(|e| bad(&e.to_string()))?;
        let mut entries = Vec::new();
        let mut at = 0usize;
        for _ in 0..count {
            if at + 46 > cd.len() || cd[at..at + 4] != [0x50, 0x4b, 0x01, 0x02] {
                return Err(bad("truncated central directory"));
            }
            let made_by = u16_at(&cd, at + 4);
            let method = u16_at(&cd, at + 10);
            let mut compressed = u64::from(u32_at(&cd, at + 20));
            let mut size = u64::from(u32_at(&cd, at + 24));
            let name_len = usize::from(u16_at(&cd, at + 28));
            let extra_len = usize::from(u16_at(&cd, at + 30));
            let comment_len = usize::from(u16_at(&cd, at + 32));
            let external = u32_at(&cd, at + 38);
            let mut local_offset = u64::from(u32_at(&cd, at + 42));
            let end = at + 46 + name_len + extra_len + comment_len;
            if end > cd.len() {
                return Err(bad("truncated central directory"));
            }
            let name = String::from_utf8_lossy(&cd[at + 46..at + 46 + name_len]).into_owned();
            // zip64 extra field: the 0xFFFFFFFF fields, in order.
            let mut extra = &cd[at + 46 + name_len..at + 46 + name_len + extra_len];
            while extra.len() >= 4 {
                let (id, n) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
                let body = &extra[4..(4 + n).min(extra.len())];
                if id == 1 {
                    let mut fields = body.chunks_exact(8).map(|c| u64_at(c, 0));
                    if size == 0xFFFF_FFFF {
                        size = fields.next().unwrap_or(size);
                    }
                    if compressed == 0xFFFF_FFFF {
                        compressed = fields.next().unwrap_or(compressed);
                    }
                    if local_offset == 0xFFFF_FFFF {
                        local_offset = fields.next().unwrap_or(local_offset);
                    }
                }
                extra = &extra[(4 + n).min(extra.len())..];
            }
            let unix_host = (made_by >> 8) as u8 == HOST_UNIX;
            let mode = external >> 16;
            entries.push(ZipEntry {
                name,
                unix_mode: (unix_host && mode != 0).then_some(mode),
                unix_host,
                method,
                compressed,
                size,
                local_offset,
            });
            at = end;
        }
        Ok(ZipFile {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// The first `limit` bytes of entry `index`, decompressed, and its full size.
    pub fn read(&self, index: usize, limit: u64) -> Result<Vec<u8>, String> {
        let entry = &self.entries[index];
        let err = |why: String| format!("{}: {}: {why}", self.path.display(), entry.name);
        let mut file = File::open(&self.path).map_err(|e| err(e.to_string()))?;
        let mut local = [0u8; 30];
        file.seek(SeekFrom::Start(entry.local_offset))
            .and_then(|_| file.read_exact(&mut local))
            .map_err(|e| err(e.to_string()))?;
        if local[..4] != [0x50, 0x4b, 0x03, 0x04] {
            return Err(err(
                "no local header where the central directory says".into()
            ));
        }
        let skip = u64::from(u16_at(&local, 26)) + u64::from(u16_at(&local, 28));
        file.seek(SeekFrom::Current(skip as i64))
            .map_err(|e| err(e.to_string()))?;
        let mut raw = Vec::new();
        file.take(entry.compressed)
            .read_to_end(&mut raw)
            .map_err(|e| err(e.to_string()))?;
        let limit = limit.min(entry.size) as usize;
        match entry.method {
            0 => {
                raw.truncate(limit);
                Ok(raw)
            }
            8 => {
                let mut out = miniz_oxide::inflate::decompress_to_vec_with_limit(&raw, limit)
                    .or_else(|e| match e.status {
                        // The limit was reached: the first `limit` bytes are what we want.
                        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => Ok(e.output),
                        _ => Err(err(format!("cannot inflate: {:?}", e.status))),
                    })?;
                out.truncate(limit);
                Ok(out)
            }
            m => Err(err(format!(
                "compression method {m} is not supported (only stored and deflated)"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the bytes, opening is an error or a listing, never a panic or a huge
    /// allocation: empty, garbage, a bare end record pointing past the end, a truncated
    /// central directory.
    #[test]
    fn broken_zips_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut eocd = vec![0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 5, 0, 5, 0];
        eocd.extend(1000u32.to_le_bytes()); // central directory size
        eocd.extend(0u32.to_le_bytes()); // offset
        eocd.extend([0, 0]);
        let mut truncated = vec![0x50, 0x4b, 0x01, 0x02, 1, 2, 3];
        let mut end = vec![0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0];
        end.extend(7u32.to_le_bytes());
        end.extend(0u32.to_le_bytes());
        end.extend([0, 0]);
        truncated.extend(end);
        for (n, bytes) in [vec![], b"not a zip at all".to_vec(), eocd, truncated]
            .into_iter()
            .enumerate()
        {
            let path = dir.path().join(format!("{n}.zip"));
            std::fs::write(&path, bytes).unwrap();
            assert!(ZipFile::open(&path).is_err(), "case {n}");
        }
        // An empty zip is a listing of nothing.
        let path = dir.path().join("empty.zip");
        let mut empty = vec![0x50, 0x4b, 0x05, 0x06];
        empty.extend([0; 18]);
        std::fs::write(&path, empty).unwrap();
        assert!(ZipFile::open(&path).unwrap().entries.is_empty());
    }
}
