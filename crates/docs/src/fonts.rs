//! Finding a font with Chinese coverage at run time.
//!
//! The binary embeds no font: a CJK font is several megabytes and its licence is the distribution's business.
//! [`Fonts::discover`] looks in the directories the caller names, then in `$SHIYU_FONT_DIR`, then in
//! `/usr/share/fonts`, and takes the first font file (`.ttf`, `.otf`, `.ttc`, `.otc`) whose faces cover the
//! characters of an agreement's title. Within one directory tree, files whose names suggest a simplified-Chinese
//! font (WenQuanYi, Noto/Source Han CJK SC, SimSun …) are tried first, so the search usually reads one file.

use std::path::{Path, PathBuf};

use typst::foundations::Bytes;
use typst::text::{Font, FontInfo};

use crate::DocError;

/// Characters a font must cover to count as a CJK font for our documents.
const PROBE: &str = "人民调解协议书纠纷签名印章年月日";

/// Environment variable naming an extra font directory (or several, separated like `PATH`).
pub const FONT_DIR_ENV: &str = "SHIYU_FONT_DIR";

/// The system font directory searched last.
pub const SYSTEM_FONT_DIR: &str = "/usr/share/fonts";

/// How deep below a search root we look; font trees are shallow, and this bounds symlink loops.
const MAX_DEPTH: usize = 8;

/// The message of [`DocError::NoCjkFont`] after the list of searched directories.
const INSTALL_HINT: &str = "install a Chinese font, e.g. `apt-get install fonts-wqy-microhei` \
    (or fonts-noto-cjk), or point SHIYU_FONT_DIR at a directory holding a .ttf/.otf/.ttc CJK font";

/// CJK font faces loaded at run time, handed to [`crate::render_pdf`].
///
/// Cheap to clone (the font data is shared). Load once at start-up and keep it.
#[derive(Clone, Debug)]
pub struct Fonts {
    faces: Vec<Font>,
    families: Vec<String>,
    path: Option<PathBuf>,
}

impl Fonts {
    /// Searches `extra_dirs`, then `$SHIYU_FONT_DIR`, then `/usr/share/fonts` (each recursively) for a font with
    /// CJK coverage. The first directory that holds one wins.
    pub fn discover(extra_dirs: &[PathBuf]) -> Result<Fonts, DocError> {
        let mut dirs: Vec<PathBuf> = extra_dirs.to_vec();
        if let Some(env) = std::env::var_os(FONT_DIR_ENV) {
            dirs.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
        }
        dirs.push(PathBuf::from(SYSTEM_FONT_DIR));
        Self::discover_in(&dirs)
    }

    /// Searches exactly `dirs` (recursively, in order) for a font with CJK coverage; no environment variable, no
    /// system directory. [`Fonts::discover`] is this with the standard search roots.
    pub fn discover_in(dirs: &[PathBuf]) -> Result<Fonts, DocError> {
        for dir in dirs {
            let mut files = Vec::new();
            collect_font_files(dir, 0, &mut files);
            files.sort_by(|a, b| preference(a).cmp(&preference(b)).then_with(|| a.cmp(b)));
            for file in files {
                // An unreadable or broken file is not fatal: there may be a good one next to it.
                let Ok(data) = std::fs::read(&file) else { continue };
                if let Ok(fonts) = Self::from_bytes(data) {
                    return Ok(Fonts { path: Some(file), ..fonts });
                }
            }
        }
        let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        Err(DocError::NoCjkFont(format!("searched [{}]; {INSTALL_HINT}", searched.join(", "))))
    }

    /// Uses the given font file contents (a `.ttf`, `.otf` or `.ttc`). Fails with [`DocError::NoCjkFont`] if no face
    /// in it covers Chinese.
    pub fn from_bytes(data: Vec<u8>) -> Result<Fonts, DocError> {
        let cjk: Vec<bool> = FontInfo::iter(&data).map(|info| covers_cjk(&info)).collect();
        if cjk.is_empty() {
            return Err(DocError::Font("not a font file TrueType/OpenType can parse".into()));
        }
        if !cjk.iter().any(|c| *c) {
            return Err(DocError::NoCjkFont(format!("the font has no Chinese glyphs; {INSTALL_HINT}")));
        }
        let faces: Vec<Font> = Font::iter(Bytes::new(data)).filter(|f| covers_cjk(f.info())).collect();
        let mut families: Vec<String> = Vec::new();
        for face in &faces {
            if !families.contains(&face.info().family) {
                families.push(face.info().family.clone());
            }
        }
        // A Noto/Source Han collection starts with the Japanese face; Chinese documents want the SC one first.
        families.sort_by_key(|f| family_rank(f));
        Ok(Fonts { faces, families, path: None })
    }

    /// The font family names, best first, as a template should pass them to `text(font: ..)`.
    pub fn families(&self) -> &[String] {
        &self.families
    }

    /// The file the fonts were loaded from, if they came from a file.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub(crate) fn faces(&self) -> &[Font] {
        &self.faces
    }
}

fn covers_cjk(info: &FontInfo) -> bool {
    PROBE.chars().all(|c| info.coverage.contains(u32::from(c)))
}

/// Simplified-Chinese faces first, monospaced last.
fn family_rank(family: &str) -> u8 {
    let f = family.to_ascii_lowercase();
    if f.contains("mono") {
        3
    } else if f.ends_with(" sc")
        || f.contains(" sc ")
        || f.contains("gb")
        || f.contains(" cn")
        || f.contains("wenquanyi")
    {
        0
    } else if f.ends_with(" jp") || f.ends_with(" kr") || f.ends_with(" tc") || f.ends_with(" hk") {
        2
    } else {
        1
    }
}

/// Lower is tried first: file names that announce a Chinese font, then everything else.
fn preference(path: &Path) -> u8 {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    const HINTS: [&str; 10] =
        ["wqy", "wenquanyi", "notoserifcjk", "notosanscjk", "sourcehan", "simsun", "simhei", "fangsong", "kai", "ukai"];
    if HINTS.iter().any(|h| name.contains(h)) {
        if name.contains("bold") || name.contains("mono") { 1 } else { 0 }
    } else if name.contains("cjk") || name.contains("sc") || name.contains("cn") || name.contains("gb") {
        2
    } else {
        3
    }
}

fn is_font_file(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "ttf" | "otf" | "ttc" | "otc"))
}

fn collect_font_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        // Follows symlinks (Debian links fonts between packages); MAX_DEPTH stops loops.
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if meta.is_dir() {
            collect_font_files(&path, depth + 1, out);
        } else if meta.is_file() && is_font_file(&path) {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn no_cjk_font_in_an_empty_dir_is_an_error_naming_the_packages() {
        let dir = tempfile::tempdir().unwrap();
        let err = Fonts::discover_in(&[dir.path().to_path_buf()]).unwrap_err();
        let DocError::NoCjkFont(msg) = err else { panic!("expected NoCjkFont, got {err:?}") };
        assert!(msg.contains("fonts-wqy-microhei") && msg.contains("fonts-noto-cjk"), "{msg}");
        assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
    }

    #[test]
    fn a_latin_only_font_is_not_taken_for_a_cjk_font() {
        let dir = tempfile::tempdir().unwrap();
        // A font file without Chinese glyphs (DejaVu, if the system has it), and a junk file with a font name.
        std::fs::write(dir.path().join("broken.ttf"), b"not a font").unwrap();
        let dejavu = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
        if dejavu.exists() {
            std::fs::copy(dejavu, dir.path().join("DejaVuSans.ttf")).unwrap();
        }
        let err = Fonts::discover_in(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(matches!(err, DocError::NoCjkFont(_)), "{err:?}");
    }

    #[test]
    fn discover_finds_a_system_cjk_font() {
        let fonts = Fonts::discover(&[]).expect("a CJK font must be installed (fonts-wqy-microhei or fonts-noto-cjk)");
        assert!(!fonts.families().is_empty());
        assert!(fonts.path().is_some());
    }

    #[test]
    fn an_extra_dir_comes_before_the_system_fonts() {
        let found = Fonts::discover(&[]).expect("a CJK font must be installed");
        let src = found.path().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("nested").join(src.file_name().unwrap());
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::copy(src, &copy).unwrap();
        let fonts = Fonts::discover(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(fonts.path(), Some(copy.as_path()));
    }
}
