//! The index folder (`DATA/search/`): opened as it is when it is readable and of this schema,
//! started afresh otherwise. Each commit records, in the same atomic step, how far the index has
//! come ([`Progress`]): the last outbox entry applied, and during a rebuild the last record copied,
//! so an interrupted rebuild resumes where it stopped.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::collector::Count;
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::doc::{DocKind, SearchDoc};
use crate::schema::{Fields, SCHEMA_VERSION, build, fields_of};
use crate::tokenizer::{GRAMS, JIEBA, analyzer, bigram_analyzer};
use crate::{Result, SearchError};

/// The file beside the index that names its schema version.
const VERSION_FILE: &str = "shiyu-schema-version";

/// Where a rebuild from the database has got to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebuildCursor {
    /// The last case id copied (cases go in id order).
    pub cases_after: Option<String>,
    /// All cases are copied.
    pub cases_done: bool,
    /// The last dispute id copied.
    pub disputes_after: Option<String>,
}

/// How far the index has come, committed with the documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The schema version the progress belongs to.
    pub schema: u32,
    /// The last outbox entry whose record is in the index (everything the database committed up
    /// to it is indexed). `None` with no rebuild: nothing indexed yet.
    pub mark: Option<String>,
    /// A rebuild in progress (documents are being copied from the tables).
    pub rebuild: Option<RebuildCursor>,
    /// A rebuild has completed at least once since the folder was created.
    pub built: bool,
}

/// Threads and memory for the writer.
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    /// Indexing threads.
    pub threads: usize,
    /// Memory budget for all threads, in bytes.
    pub heap_bytes: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        Self { threads: 1, heap_bytes: 64 * 1024 * 1024 }
    }
}

/// An open index.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    pub(crate) f: Fields,
    dir: PathBuf,
    progress: Mutex<Progress>,
    ready: AtomicBool,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when missing. An index that cannot be read, or was
    /// written with another schema version, is deleted and started afresh (its progress is then
    /// empty: the caller rebuilds from the database).
    pub fn open(dir: &Path, opts: WriterOptions) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let version = std::fs::read_to_string(dir.join(VERSION_FILE)).ok();
        let current = version.as_deref().map(str::trim) == Some(SCHEMA_VERSION.to_string().as_str());
        if current {
            match Self::open_existing(dir, opts) {
                Ok(ix) => return Ok(ix),
                Err(e) => tracing::warn!("search index in {} is unreadable, starting afresh: {e}", dir.display()),
            }
        } else if version.is_some() {
            tracing::info!("search index in {} has another schema version, starting afresh", dir.display());
        }
        Self::create_fresh(dir, opts)
    }

    fn open_existing(dir: &Path, opts: WriterOptions) -> Result<Self> {
        let index = Index::open_in_dir(dir)?;
        let f = fields_of(&index.schema())?;
        let payload = index.load_metas()?.payload;
        let progress = match payload {
            Some(p) => serde_json::from_str::<Progress>(&p).map_err(|_| SearchError::Invalid("payload"))?,
            None => Progress { schema: SCHEMA_VERSION, ..Progress::default() },
        };
        if progress.schema != SCHEMA_VERSION {
            return Err(SearchError::Invalid("schema"));
        }
        Self::assemble(index, f, dir, opts, progress)
    }

    fn create_fresh(dir: &Path, opts: WriterOptions) -> Result<Self> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        }
        let (schema, f) = build();
        let index =
            Index::create(MmapDirectory::open(dir).map_err(tantivy::TantivyError::from)?, schema, Default::default())?;
        std::fs::write(dir.join(VERSION_FILE), format!("{SCHEMA_VERSION}\n"))?;
        Self::assemble(index, f, dir, opts, Progress { schema: SCHEMA_VERSION, ..Progress::default() })
    }

    fn assemble(index: Index, f: Fields, dir: &Path, opts: WriterOptions, progress: Progress) -> Result<Self> {
        index.tokenizers().register(JIEBA, analyzer());
        index.tokenizers().register(GRAMS, bigram_analyzer());
        let writer = index.writer_with_num_threads(opts.threads.max(1), opts.heap_bytes.max(15_000_000))?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let ready = progress.built && progress.rebuild.is_none();
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            f,
            dir: dir.to_owned(),
            progress: Mutex::new(progress),
            ready: AtomicBool::new(ready),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How far the index has come, as last committed.
    pub fn progress(&self) -> Progress {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// Whether the index holds every record (no rebuild pending or running). Answers given while
    /// it does not may miss records.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Whether the index must be (re)built from the tables before the outbox can keep it current.
    pub fn needs_rebuild(&self) -> bool {
        let p = self.progress();
        !p.built || p.rebuild.is_some()
    }

    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter<TantivyDocument>>> {
        self.writer.lock().map_err(|_| SearchError::Poisoned)
    }

    /// Replaces each record's document (or adds it). Visible after the next [`commit`](Self::commit).
    pub fn upsert(&self, docs: &[SearchDoc]) -> Result<()> {
        let w = self.writer()?;
        for d in docs {
            w.delete_term(Term::from_field_text(self.f.id, &d.id));
            w.add_document(d.to_document(&self.f))?;
        }
        Ok(())
    }

    /// Adds documents known not to be in the index (a rebuild into an emptied index).
    pub fn add_new(&self, docs: &[SearchDoc]) -> Result<()> {
        let w = self.writer()?;
        for d in docs {
            w.add_document(d.to_document(&self.f))?;
        }
        Ok(())
    }

    /// Removes a record's document.
    pub fn delete(&self, id: &str) -> Result<()> {
        self.writer()?.delete_term(Term::from_field_text(self.f.id, id));
        Ok(())
    }

    /// Removes every document (the start of a rebuild over an existing index); committed with
    /// `progress`.
    pub fn clear(&self, progress: &Progress) -> Result<()> {
        {
            let w = self.writer()?;
            w.delete_all_documents()?;
        }
        self.commit(progress)
    }

    /// Makes everything written so far durable and visible, recording `progress` with it.
    pub fn commit(&self, progress: &Progress) -> Result<()> {
        let payload = serde_json::to_string(progress).map_err(|_| SearchError::Invalid("payload"))?;
        {
            let mut w = self.writer()?;
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
        }
        self.reader.reload()?;
        if let Ok(mut p) = self.progress.lock() {
            *p = progress.clone();
        }
        self.ready.store(progress.built && progress.rebuild.is_none(), Ordering::Release);
        Ok(())
    }

    /// Documents of a kind in the committed index.
    pub fn count(&self, kind: DocKind) -> Result<u64> {
        let q = TermQuery::new(Term::from_field_text(self.f.kind, kind.as_str()), IndexRecordOption::Basic);
        Ok(self.reader.searcher().search(&q, &Count)? as u64)
    }

    /// Searchable segments (a figure for benchmarks).
    pub fn segment_count(&self) -> Result<usize> {
        Ok(self.index.searchable_segment_ids()?.len())
    }

    /// Merges segments down and removes files no longer used (after a large build).
    pub fn tidy(&self) -> Result<()> {
        let ids = self.index.searchable_segment_ids()?;
        let mut w = self.writer()?;
        if ids.len() > 1 {
            let _ = w.merge(&ids).wait()?;
        }
        let _ = w.garbage_collect_files().wait()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }
}
