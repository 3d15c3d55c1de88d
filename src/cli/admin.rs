//! `yinyao admin`: create the three platform admins, reset a password from the server.

use crate::accounts::model::{PlatformRole, generate_password, hash_password};
use crate::accounts::{NewAccount, bulk as repo};
use crate::audit::{
    self as audit,
    model::{Actor, Event},
};
use crate::config::Config;
use crate::db::Db;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create the system, security and audit admins and print their one-time passwords.
    Init,
    /// Give an account a new one-time password (and, with --reset-totp, a new authenticator).
    ResetPassword {
        username: String,
        #[arg(long)]
        reset_totp: bool,
    },
}

/// A platform admin created by [`init`], with the one-time password to hand over.
#[derive(Debug, Clone)]
pub struct InitialAdmin {
    pub role: PlatformRole,
    pub username: &'static str,
    pub password: String,
}

/// Creates the system, security and audit admins, each with a one-time password that must
/// be changed at first login. Returns `None`, changing nothing, when any platform admin
/// exists already: a second run must not hand out fresh credentials.
pub async fn init(db: &Db) -> anyhow::Result<Option<Vec<InitialAdmin>>> {
    let mut tx = db.write().await?;
    if repo::any_platform_admin(&mut tx).await? {
        return Ok(None);
    }
    let mut created = Vec::new();
    for (role, username, name) in [
        (PlatformRole::System, "sysadmin", "系统管理员"),
        (PlatformRole::Security, "secadmin", "安全保密管理员"),
        (PlatformRole::Audit, "auditadmin", "安全审计员"),
    ] {
        let password = generate_password();
        let id = repo::insert(
            &mut tx,
            &NewAccount {
                username,
                phone: None,
                display_name: name,
                unit_id: None,
                password_hash: &hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?,
                must_change_password: true,
                platform_role: Some(role),
            },
        )
        .await?;
        audit::record(&mut tx, &Actor::cli("admin init"), Event::ok("account.create", format!("account:{}", id.0))
            .detail(serde_json::json!({ "after": { "username": username, "platform_role": role.as_str() } })))
            .await?;
        created.push(InitialAdmin {
            role,
            username,
            password,
        });
    }
    tx.commit().await?;
    Ok(Some(created))
}

pub async fn run(db: &Db, _config: &Config, cmd: AdminCommand) -> anyhow::Result<i32> {
    match cmd {
        AdminCommand::Init => {
            let Some(created) = init(db).await? else {
                eprintln!(
                    "platform admins already exist; use `yinyao admin reset-password NAME` instead"
                );
                return Ok(1);
            };
            println!("Created the three platform admins. Each password works once: at first login");
            println!("the admin sets up an authenticator app (TOTP) and chooses a new password.\n");
            for a in created {
                println!("  {:<9} {:<11} {}", a.role.as_str(), a.username, a.password);
            }
            Ok(0)
        }
        AdminCommand::ResetPassword {
            username,
            reset_totp,
        } => {
            let mut tx = db.write().await?;
            let Some(a) = repo::find_by_login(&mut tx, &username.to_lowercase(), &[]).await? else {
                eprintln!("no account named {username}");
                return Ok(1);
            };
            let password = generate_password();
            let id = a.id;
            repo::set_password(
                &mut tx,
                id,
                &hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?,
                true,
            )
            .await?;
            if reset_totp {
                repo::set_totp_secret(&mut tx, id, None).await?;
            }
            crate::web::session::delete_for_account(&mut tx, id).await?;
            audit::record(
                &mut tx,
                &Actor::cli("admin reset-password"),
                Event::ok("account.reset_password", format!("account:{}", a.id))
                    .detail(serde_json::json!({ "totp_reset": reset_totp })),
            )
            .await?;
            tx.commit().await?;
            println!("{username}: one-time password {password}");
            Ok(0)
        }
    }
}
