//! What a build says about itself: version, git revision and source date, never the clock.
//!
//! Two people who build the same source must get the same bytes, so everything a build embeds
//! about itself comes from the source: the version from Cargo.toml, the revision from git (or
//! `PIPYOS_GIT_REVISION`), the date from `SOURCE_DATE_EPOCH` (or the commit's time). Nix passes
//! both variables (it has no `.git`); a plain checkout asks git.
use std::{path::Path, process::Command};

/// Length of the revision in every version string (`git rev-parse --short=12`).
pub const REVISION_LENGTH: usize = 12;

/// What the kernel, the initfs and the image record about the build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInfo {
    /// The PiPyOS version (`[workspace.package] version`).
    pub version: String,
    /// The git revision: 12 hex digits, `-dirty` appended for uncommitted changes, or
    /// `unknown` outside a git checkout.
    pub revision: String,
    /// Seconds since the Unix epoch: `SOURCE_DATE_EPOCH`, else the commit's time, else 0.
    pub source_date_epoch: u64,
}

impl BuildInfo {
    /// The build facts of the source at `repository`, from the environment or from git.
    pub fn of(repository: &Path, version: &str) -> Result<Self, String> {
        let revision = match std::env::var("PIPYOS_GIT_REVISION") {
            Ok(value) if !value.trim().is_empty() => value.trim().to_owned(),
            _ => git_revision(repository).unwrap_or_else(|| "unknown".to_owned()),
        };
        let source_date_epoch = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(value) => value
                .trim()
                .parse()
                .map_err(|_| format!("SOURCE_DATE_EPOCH={value:?} is not a number of seconds"))?,
            Err(_) => git_commit_time(repository).unwrap_or(0),
        };
        Self::new(version, &revision, source_date_epoch)
    }

    /// Checks and assembles the facts.
    pub fn new(version: &str, revision: &str, source_date_epoch: u64) -> Result<Self, String> {
        let hex = revision.strip_suffix("-dirty").unwrap_or(revision);
        let valid = revision == "unknown"
            || (hex.len() == REVISION_LENGTH && hex.bytes().all(|byte| byte.is_ascii_hexdigit()));
        if !valid {
            return Err(format!(
                "git revision {revision:?} is not {REVISION_LENGTH} hex digits (optionally with -dirty)"
            ));
        }
        Ok(Self {
            version: version.to_owned(),
            revision: revision.to_owned(),
            source_date_epoch,
        })
    }

    /// The source date as CPython prints it in `sys.version`: `Dec  2 2026` (`%b %e %Y`).
    pub fn python_date(&self) -> String {
        let time = CivilTime::from_unix(self.source_date_epoch);
        format!(
            "{} {:>2} {}",
            MONTHS[time.month as usize - 1],
            time.day,
            time.year
        )
    }

    /// The source time of day in UTC: `07:16:43`.
    pub fn python_time(&self) -> String {
        let time = CivilTime::from_unix(self.source_date_epoch);
        format!("{:02}:{:02}:{:02}", time.hour, time.minute, time.second)
    }

    /// The source date in ISO form: `2026-12-02`.
    pub fn iso_date(&self) -> String {
        let time = CivilTime::from_unix(self.source_date_epoch);
        format!("{:04}-{:02}-{:02}", time.year, time.month, time.day)
    }

    /// The environment the kernel build reads (kernel/build.rs and the stand-in `git`).
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PIPYOS_VERSION", self.version.clone()),
            ("PIPYOS_GIT_REVISION", self.revision.clone()),
            ("SOURCE_DATE_EPOCH", self.source_date_epoch.to_string()),
            ("PIPYOS_BUILD_DATE", self.python_date()),
            ("PIPYOS_BUILD_TIME", self.python_time()),
            ("PIPYOS_BUILD_ISO_DATE", self.iso_date()),
        ]
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC calendar date and time of day.
#[derive(Debug, PartialEq, Eq)]
struct CivilTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl CivilTime {
    /// Converts Unix seconds to the proleptic Gregorian calendar in UTC. Days are counted
    /// from 0000-03-01 in 400-year eras of 146,097 days, so that leap days fall at the end of
    /// each year of the count.
    fn from_unix(seconds: u64) -> Self {
        let days = (seconds / 86_400) as i64;
        let second_of_day = (seconds % 86_400) as u32;
        // Days from 0000-03-01 to 1970-01-01.
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Self {
            year,
            month,
            day,
            hour: second_of_day / 3600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
        }
    }
}

fn git(repository: &Path, arguments: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .current_dir(repository)
        .args(arguments)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    output.status.success().then_some(text)
}

/// `git rev-parse --short=12 HEAD`, with `-dirty` if tracked files differ from it.
fn git_revision(repository: &Path) -> Option<String> {
    let revision = git(
        repository,
        &["rev-parse", &format!("--short={REVISION_LENGTH}"), "HEAD"],
    )?;
    let status = git(
        repository,
        &["status", "--porcelain", "--untracked-files=no"],
    )?;
    Some(if status.is_empty() {
        revision
    } else {
        format!("{revision}-dirty")
    })
}

/// The committer time of HEAD.
fn git_commit_time(repository: &Path) -> Option<u64> {
    git(repository, &["log", "-1", "--format=%ct"])?
        .parse()
        .ok()
}

/// A stand-in `git` for the kernel build. RustPython's build script asks git for the revision,
/// its time, a describe name and a branch (and falls back to the wall clock without git); this
/// answers those four questions from the build facts, and fails everything else as a machine
/// without git would.
pub fn stand_in_git_script(info: &BuildInfo) -> String {
    let name = format!("pipyos-{}", info.version);
    format!(
        "#!/bin/sh\n\
         # Written by cargo xtask: answers RustPython's build script from the build facts.\n\
         case \"$*\" in\n\
         \"rev-parse --short HEAD\") echo '{revision}' ;;\n\
         \"log -1 --format=%ct\") echo '{epoch}' ;;\n\
         \"describe --all --always --dirty\") echo '{name}' ;;\n\
         \"name-rev --name-only HEAD\") echo '{name}' ;;\n\
         *) exit 1 ;;\n\
         esac\n",
        revision = info.revision,
        epoch = info.source_date_epoch,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_come_from_the_epoch() {
        let info = BuildInfo::new("0.1.0", "0123456789ab", 1_796_195_803).unwrap();
        assert_eq!(info.python_date(), "Dec  2 2026");
        assert_eq!(info.python_time(), "07:16:43");
        assert_eq!(info.iso_date(), "2026-12-02");
        let epoch = BuildInfo::new("0.1.0", "unknown", 0).unwrap();
        assert_eq!(epoch.python_date(), "Jan  1 1970");
        assert_eq!(epoch.python_time(), "00:00:00");
        // A leap day and the last second of a century year.
        let leap = BuildInfo::new("0.1.0", "unknown", 951_782_400).unwrap();
        assert_eq!(leap.iso_date(), "2000-02-29");
        let end = BuildInfo::new("0.1.0", "unknown", 4_102_444_799).unwrap();
        assert_eq!(
            (end.iso_date(), end.python_time()),
            ("2099-12-31".into(), "23:59:59".into())
        );
    }

    #[test]
    fn revisions_are_checked() {
        assert!(BuildInfo::new("0.1.0", "0123456789ab", 0).is_ok());
        assert!(BuildInfo::new("0.1.0", "0123456789ab-dirty", 0).is_ok());
        assert!(BuildInfo::new("0.1.0", "unknown", 0).is_ok());
        assert!(BuildInfo::new("0.1.0", "0123456", 0).is_err());
        assert!(BuildInfo::new("0.1.0", "0123456789abcdef", 0).is_err());
        assert!(BuildInfo::new("0.1.0", "xyz456789abc", 0).is_err());
    }

    #[test]
    fn environment_and_stand_in_git_agree() {
        let info = BuildInfo::new("0.2.0", "fedcba987654", 1_700_000_000).unwrap();
        let environment = info.environment();
        assert!(environment.contains(&("PIPYOS_GIT_REVISION", "fedcba987654".to_owned())));
        assert!(environment.contains(&("SOURCE_DATE_EPOCH", "1700000000".to_owned())));
        assert!(environment.contains(&("PIPYOS_BUILD_DATE", "Nov 14 2023".to_owned())));
        let script = stand_in_git_script(&info);
        assert!(script.contains("\"rev-parse --short HEAD\") echo 'fedcba987654'"));
        assert!(script.contains("\"log -1 --format=%ct\") echo '1700000000'"));
        assert!(script.contains("echo 'pipyos-0.2.0'"));
    }
}
