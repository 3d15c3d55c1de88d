//! `yinyao serve`: logging, metrics, the job runner and the web server until a signal.

use crate::config::Config;
use crate::db::Db;
use crate::state::AppState;

pub(super) fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub(super) async fn serve(db: Db, config: Config) -> anyhow::Result<()> {
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .ok();
    let listen = config.listen.clone();
    let mut tx = db.write().await?;
    crate::ops::record_config(&mut tx, &config).await?;
    tx.commit().await?;
    let crypto = crate::crypto::from_config(&config, matches!(db, Db::Sqlite(_)))?;
    let mut tx = db.write().await?;
    let sealed = crate::accounts::service::seal_clear_phones(&mut tx, &crypto).await?;
    tx.commit().await?;
    if sealed > 0 {
        tracing::info!(
            accounts = sealed,
            "staff mobiles stored in clear were encrypted"
        );
    }
    {
        // A new database takes the configured suite's hash from its first entry.
        let mut tx = db.write().await?;
        let wanted = crate::audit::model::HashAlgo::of_suite(crypto.suite());
        if crate::audit::checkpoint(&mut tx).await?.last_id == 0 {
            crate::audit::set_hash_algo(&mut tx, wanted).await?;
        }
        tx.commit().await?;
        let mut tx = db.read().await?;
        let chain = crate::audit::hash_algo(&mut tx).await?;
        if chain != crate::audit::model::HashAlgo::of_suite(crypto.suite()) || crypto.has_previous()
        {
            tracing::warn!(
                suite = crypto.suite().as_str(),
                audit_hash = chain.as_str(),
                previous_key = crypto.has_previous(),
                "a move to another field key or suite is under way: run `yinyao rekey`, then remove previous_field_key"
            );
        }
    }
    crate::outbox::prepare(&db).await?;
    let state = AppState::new(db.clone(), config, metrics, crypto);
    {
        let mut tx = db.read().await?;
        if !crate::accounts::bulk::any_platform_admin(&mut tx).await? {
            println!("银耀 Yinyao: no administrators yet. Create the three platform admins with:");
            println!("    cargo run --release -- admin init      (or: yinyao admin init)");
            println!("and, to try it out with a generated county:");
            println!("    cargo run --release -- demo");
        }
    }
    crate::jobs::policy::reload(&state).await?;
    let jobs = tokio::spawn(crate::jobs::run(state.clone()));
    let consumers = tokio::spawn(crate::jobs::consume_events(state.clone()));
    let policy = tokio::spawn(crate::jobs::policy::refresh_loop(state.clone()));
    let app = crate::app(state);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("银耀 Yinyao serving at http://{listen} ({})", db.backend());
    tracing::info!(%listen, backend = db.backend(), "serving");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    jobs.abort();
    consumers.abort();
    policy.abort();
    // In-flight requests have finished; close the pool so SQLite checkpoints its WAL.
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
