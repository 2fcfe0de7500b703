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
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// List organisations with their seats and expiry.
    List,
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

/// Runs one command; true when it finished but some rows failed.
pub async fn run(config: Config, command: AdminCommand) -> anyhow::Result<bool> {
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
            Ok(false)
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
            Ok(!status.problems.is_empty())
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
            Ok(false)
        }
    }
}
