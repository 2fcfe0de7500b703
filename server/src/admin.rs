//! PLT-3: `coffer admin …` — the same domain calls the pages make, run as
//! the instance administrator, printing what the pages would show.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Subcommand;
use coffer_core::members::export::ExportFormat;
use coffer_core::{Actor, Coffer, Config};
use coffer_shared::import::{ImportFormat, ImportState, RowOutcome};
use coffer_shared::members::{MemberColumn, MemberQuery};

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Import members from a CSV file (IMP-1 … IMP-5); exits with 2 when
    /// rows were not imported.
    Import {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
        /// `named` (USERNAME, EMAIL, GROUP, FIRSTNAME, LASTNAME) or
        /// `email-role`; detected from the header when absent.
        #[arg(long)]
        format: Option<String>,
        file: PathBuf,
    },
    /// Members.
    Members {
        #[command(subcommand)]
        command: MembersCommand,
    },
    /// The blob store and the usage figures.
    Storage {
        #[command(subcommand)]
        command: StorageCommand,
    },
}

#[derive(Subcommand)]
pub enum StorageCommand {
    /// Blobs that nothing refers to, and stored usage that differs from the
    /// files counted; exits with 1 when it finds either.
    Check,
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// List organisations with their seats and expiry.
    List,
    /// Create an organisation and invite its first administrator (ACC-2).
    Create {
        #[arg(long)]
        name: String,
        /// Licence seats.
        #[arg(long)]
        seats: i64,
        /// The last day the licence is valid, `YYYY-MM-DD`.
        #[arg(long)]
        expiry: String,
        /// The first administrator's email (invited by mail).
        #[arg(long)]
        admin: String,
    },
}

#[derive(Subcommand)]
pub enum MembersCommand {
    /// Export an organisation's members (every column) as CSV or Excel.
    Export {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
        /// `csv` (default) or `xlsx`.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Where to write; standard output when absent.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

fn refused(e: coffer_core::Failure) -> anyhow::Error {
    match e {
        coffer_core::Failure::Refused(r) => anyhow::anyhow!("{r}"),
        coffer_core::Failure::Internal(e) => e,
    }
}

async fn organisation_id(
    coffer: &Coffer,
    actor: &Actor,
    wanted: &str,
) -> anyhow::Result<coffer_shared::ids::OrganisationId> {
    let all = coffer.organisations(Some(actor)).await.map_err(refused)?;
    all.iter()
        .find(|o| o.id == wanted || o.name.eq_ignore_ascii_case(wanted))
        .map(|o| o.id.clone())
        .with_context(|| {
            format!("no organisation is named {wanted:?}; see `coffer admin org list`")
        })
}

/// What `run` found: everything well, or a finished command that reports
/// a problem (rows not imported: exit 2; a storage difference: exit 1).
pub enum Finished {
    Ok,
    RowsFailed,
    Differences,
}

/// Runs one command.
pub async fn run(config: Config, command: AdminCommand) -> anyhow::Result<Finished> {
    let coffer = Coffer::open(config).await?;
    let actor = coffer.operator().await.map_err(refused)?;
    let mut out = std::io::stdout().lock();
    match command {
        AdminCommand::Org {
            command: OrgCommand::List,
        } => {
            for o in coffer.organisations(Some(&actor)).await.map_err(refused)? {
                writeln!(
                    out,
                    "{}\t{}\t{} of {} seats\texpires {}",
                    o.name, o.id, o.seats_used, o.licence_seats, o.expiry_date
                )?;
            }
            Ok(Finished::Ok)
        }
        AdminCommand::Org {
            command:
                OrgCommand::Create {
                    name,
                    seats,
                    expiry,
                    admin,
                },
        } => {
            let made = coffer
                .create_organisation(
                    Some(&actor),
                    &coffer_shared::organisations::NewOrganisation {
                        name,
                        licence_seats: seats,
                        expiry_date: expiry,
                        administrator_email: admin.clone(),
                    },
                )
                .await
                .map_err(refused)?;
            coffer.drain_mail().await;
            writeln!(
                out,
                "Created {} ({}); {admin} is invited.",
                made.name, made.id
            )?;
            Ok(Finished::Ok)
        }
        AdminCommand::Storage {
            command: StorageCommand::Check,
        } => {
            let report = coffer.storage_check(Some(&actor)).await.map_err(refused)?;
            for prefix in &report.orphans {
                writeln!(out, "orphan blobs: parts/{prefix}/")?;
            }
            for (org, account, stored, counted) in &report.usage {
                writeln!(
                    out,
                    "usage differs: organisation {org}, account {account}: stored {stored}, counted {counted}"
                )?;
            }
            if report.is_clean() {
                writeln!(out, "Storage is consistent.")?;
                Ok(Finished::Ok)
            } else {
                Ok(Finished::Differences)
            }
        }
        AdminCommand::Import { org, format, file } => {
            let org = organisation_id(&coffer, &actor, &org).await?;
            let choice = match format.as_deref() {
                None => None,
                Some("named") => Some(ImportFormat::Named),
                Some("email-role") => Some(ImportFormat::EmailRole),
                Some(other) => bail!("unknown format {other:?}: use named or email-role"),
            };
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let preview = coffer
                .import_preview(Some(&actor), &org, &bytes, choice)
                .await
                .map_err(refused)?;
            writeln!(out, "Format: {}", preview.format.label())?;
            let status = coffer
                .import_and_wait(Some(&actor), &org, &preview.import_id)
                .await
                .map_err(refused)?;
            if status.state != ImportState::Finished {
                bail!("the import failed: {}", status.failure);
            }
            for p in &status.problems {
                if let RowOutcome::Skip(reason) = &p.outcome {
                    writeln!(out, "line {}: {}: {reason}", p.line, p.email)?;
                }
            }
            writeln!(
                out,
                "{} of {} imported.",
                status.imported, status.rows_total
            )?;
            Ok(if status.problems.is_empty() {
                Finished::Ok
            } else {
                Finished::RowsFailed
            })
        }
        AdminCommand::Members {
            command:
                MembersCommand::Export {
                    org,
                    format,
                    output,
                },
        } => {
            let org = organisation_id(&coffer, &actor, &org).await?;
            let format = match format.as_str() {
                "csv" => ExportFormat::Csv,
                "xlsx" => ExportFormat::Xlsx,
                other => bail!("unknown format {other:?}: use csv or xlsx"),
            };
            let bytes = coffer
                .export_members(
                    Some(&actor),
                    &org,
                    &MemberQuery::default(),
                    &MemberColumn::ALL,
                    format,
                )
                .await
                .map_err(refused)?;
            match output {
                Some(path) => std::fs::write(&path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => out.write_all(&bytes)?,
            }
            Ok(Finished::Ok)
        }
    }
}
