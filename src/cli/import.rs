//! `yinyao import people|articles`: rosters and article folders from the command line.

use crate::config::Config;
use crate::db::Db;

pub(super) async fn import_people(
    db: &Db,
    config: &Config,
    file: &std::path::Path,
    unit: i64,
    check_only: bool,
) -> anyhow::Result<i32> {
    use crate::people::import;
    let crypto = std::sync::Arc::new(crate::crypto::from_config(
        config,
        matches!(db, Db::Sqlite(_)),
    )?);
    // Bounded before it is read, as an upload is.
    if std::fs::metadata(file)?.len() > import::MAX_FILE_BYTES as u64 {
        eprintln!(
            "file: {}",
            crate::i18n::Locale::ZhCn.t("validation.file_too_large")
        );
        return Ok(1);
    }
    let data = std::fs::read(file)?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("roster");
    // The operator at the server may file people at any active unit.
    let allowed: std::collections::HashMap<(crate::ids::UnitId, bool), bool> = {
        let mut tx = db.read().await?;
        let all = crate::access::Scope::EVERYTHING;
        crate::units::service::list(&mut tx, &all, false, i64::MAX)
            .await?
            .into_iter()
            .flat_map(|u| [((u.id, false), true), ((u.id, true), true)])
            .collect()
    };
    let started = std::time::Instant::now();
    let locale = crate::i18n::Locale::ZhCn;
    let unit = crate::ids::UnitId(unit);
    let checked = async {
        let parsed =
            import::parse(&crypto, locale, name, axum::body::Bytes::from(data), unit).await?;
        let mut tx = db.read().await?;
        import::check(&mut tx, locale, parsed, &allowed).await
    };
    let (report, records) = match checked.await {
        Ok(r) => r,
        Err(crate::error::AppError::Validation(f)) => {
            for e in f {
                eprintln!("{}: {}", e.field, crate::i18n::Locale::ZhCn.t(e.key));
            }
            return Ok(1);
        }
        Err(e) => anyhow::bail!("{e}"),
    };
    let checked = started.elapsed();
    println!(
        "{} rows, {} valid, {} problems (checked in {:.2} s)",
        report.rows,
        report.valid_rows,
        report.problems.len(),
        checked.as_secs_f64()
    );
    for p in report.problems.iter().take(200) {
        println!("  row {}, {}: {}", p.row, p.column, p.message);
    }
    if !report.problems.is_empty() {
        println!("nothing imported");
        return Ok(1);
    }
    if check_only {
        return Ok(0);
    }
    let actor = crate::audit::model::Actor::cli("import people");
    let mut tx = db.write().await?;
    let n = import::commit(&mut tx, &actor, name, unit, &records, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    println!(
        "{n} people imported in {:.2} s in all",
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

pub(super) async fn import_articles(
    db: &Db,
    dir: &std::path::Path,
    column: i64,
    author: Option<&str>,
) -> anyhow::Result<i32> {
    let author = match author {
        Some(name) => {
            let mut tx = db.read().await?;
            let a = crate::accounts::bulk::find_by_login(&mut tx, name, &[])
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account named {name}"))?;
            Some(a.id.0)
        }
        None => None,
    };
    let results = super::import_articles::import_dir(db, dir, column, author).await?;
    let mut failed = 0;
    for r in &results {
        match (r.article, &r.problem) {
            (Some(id), _) => println!("{}: draft {id} 「{}」", r.file, r.title),
            (None, Some(p)) => {
                failed += 1;
                println!("{}: not imported ({p})", r.file);
            }
            (None, None) => {}
        }
        for rep in &r.repairs {
            println!(
                "    {} × {}: {}",
                rep.kind,
                rep.count,
                rep.examples.join(" | ")
            );
        }
    }
    println!(
        "{} files, {} drafts, {failed} not imported",
        results.len(),
        results.len() - failed
    );
    Ok(if failed > 0 { 1 } else { 0 })
}
