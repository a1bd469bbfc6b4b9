//! The `probe-link` subcommand: create, list and revoke browser probe links, and print a
//! link as a QR code (terminal, SVG, PNG) for the school's print sheet.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use jiff::{SignedDuration, Timestamp};
use qrcode::QrCode;
use qrcode::render::{svg, unicode};

use crate::store::{ProbeLink, Store};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub create: Create,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the probe links (ids, schools, dates, state; never the codes).
    List {
        #[arg(long, value_name = "UAI")]
        school: Option<String>,
    },
    /// Revoke a probe link by its id: its page and its reports are refused from then on.
    Revoke { id: String },
}

/// Create a link: `probe-link --school UAI`.
#[derive(Debug, clap::Args)]
pub struct Create {
    /// The one school the link measures and reports for.
    #[arg(long, value_name = "UAI")]
    pub school: Option<String>,
    /// How long the link works: 7d, 12h, 30m, 90s (at most 366 days).
    #[arg(long, default_value = "7d", value_parser = expiry)]
    pub expires: SignedDuration,
    /// Label of the devices reporting through it ("tablette" -> "tablette 3f2a9c").
    #[arg(long, value_name = "TEXT")]
    pub label_prefix: Option<String>,
    /// The collector's public base URL, as the devices reach it (the link is
    /// `{URL}sonde/{code}`).
    #[arg(
        long,
        value_name = "URL",
        env = "ENT_COLLECTOR_PUBLIC_URL",
        alias = "public-url"
    )]
    pub base_url: Option<String>,
    /// Also print the link as a QR code in the terminal.
    #[arg(long)]
    pub qr: bool,
    /// Write the QR code as an SVG file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Write the QR code as a PNG file.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
}

fn expiry(s: &str) -> Result<SignedDuration, String> {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = n
        .parse()
        .ok()
        .filter(|n| *n > 0 && *n <= 366 * 24 * 3600)
        .ok_or_else(|| format!("{s:?}: a number and d, h, m or s (7d), at most 366 days"))?;
    let d = match unit {
        "d" => SignedDuration::from_hours(24 * n),
        "h" => SignedDuration::from_hours(n),
        "m" => SignedDuration::from_mins(n),
        "s" => SignedDuration::from_secs(n),
        _ => return Err(format!("{s:?}: a number and d, h, m or s (7d)")),
    };
    if d > SignedDuration::from_hours(24 * 366) {
        return Err(format!("{s:?}: at most 366 days"));
    }
    Ok(d)
}

/// Run the subcommand; what it prints for the person goes to stdout (the URL, the table).
pub fn run(args: &Args, store: &dyn Store) -> Result<String> {
    match &args.command {
        Some(Command::List { school }) => {
            let school = school
                .as_deref()
                .map(|s| s.parse().map_err(|e| anyhow::anyhow!("--school: {e}")))
                .transpose()?;
            let now = Timestamp::now();
            let mut out = String::new();
            for l in store.probe_links(school.as_ref())? {
                let state = match l.revoked_at {
                    Some(r) => format!("revoked {r}"),
                    None if l.expires_at <= now => format!("expired {}", l.expires_at),
                    None => format!("active until {}", l.expires_at),
                };
                out.push_str(&format!(
                    "{}\tschool {}\t{}\tcreated {}\t{state}\n",
                    l.id,
                    l.school,
                    l.label_prefix.as_deref().unwrap_or("-"),
                    l.created_at
                ));
            }
            Ok(out)
        }
        Some(Command::Revoke { id }) => {
            if !store.revoke_probe_link(id)? {
                bail!("no active probe link with id {id:?} (see `ent-collector probe-link list`)");
            }
            Ok(format!("probe link {id} revoked\n"))
        }
        None => create(&args.create, store),
    }
}

fn create(c: &Create, store: &dyn Store) -> Result<String> {
    let Some(school) = &c.school else {
        bail!("give --school UAI (or `probe-link list`, `probe-link revoke ID`)");
    };
    let school = school
        .parse()
        .map_err(|e| anyhow::anyhow!("--school: {e}"))?;
    let base = c.base_url.as_deref().context(
        "give --base-url URL (or --public-url): the collector's address as the devices reach it",
    )?;
    // `https://collecteur.example` is the collector's root, as `…/` is.
    let base = if base
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.contains('/'))
    {
        format!("{base}/")
    } else {
        base.to_owned()
    };
    let base = base.as_str();
    readiness::api::check_node_url(base)
        .map_err(|why| anyhow::anyhow!("--base-url {base:?}: {why}"))?;
    if let Some(p) = &c.label_prefix
        && let Some(why) = readiness::limits::label_problem(p)
    {
        bail!("--label-prefix: {why}");
    }
    let token = crate::tokens::generate_probe_link();
    let now = Timestamp::now();
    let link = ProbeLink {
        id: token.id.clone(),
        hash: crate::tokens::hash(&token.secret),
        school,
        label_prefix: c.label_prefix.clone(),
        created_at: now,
        expires_at: now + c.expires,
        revoked_at: None,
    };
    store.create_probe_link(&link)?;
    let url = format!("{base}sonde/{}", token.secret);
    eprintln!(
        "probe link {} created for school {}, until {}; anyone with the URL can test for this school:",
        link.id, link.school, link.expires_at
    );
    let mut out = format!("{url}\n");
    if c.qr || c.svg.is_some() || c.png.is_some() {
        let code = QrCode::new(url.as_bytes()).context("cannot encode the URL as a QR code")?;
        if c.qr {
            out.push_str(&code.render::<unicode::Dense1x2>().quiet_zone(true).build());
            out.push('\n');
        }
        if let Some(file) = &c.svg {
            let image = code
                .render::<svg::Color<'_>>()
                .min_dimensions(256, 256)
                .quiet_zone(true)
                .build();
            std::fs::write(file, image)
                .with_context(|| format!("cannot write {}", file.display()))?;
        }
        if let Some(file) = &c.png {
            write_png(&code, file)?;
        }
    }
    Ok(out)
}

/// The QR code as a black-on-white grayscale PNG, 8 pixels a module, 4 modules of margin.
fn write_png(code: &QrCode, file: &std::path::Path) -> Result<()> {
    const SCALE: usize = 8;
    const MARGIN: usize = 4;
    let n = code.width();
    let side = (n + 2 * MARGIN) * SCALE;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; side * side];
    for y in 0..n {
        for x in 0..n {
            if colors[y * n + x] == qrcode::Color::Dark {
                for dy in 0..SCALE {
                    let row = ((y + MARGIN) * SCALE + dy) * side;
                    let start = row + (x + MARGIN) * SCALE;
                    pixels[start..start + SCALE].fill(0);
                }
            }
        }
    }
    let out =
        std::fs::File::create(file).with_context(|| format!("cannot write {}", file.display()))?;
    let side32 = u32::try_from(side).context("QR code too large")?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(out), side32, side32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().context("cannot write the PNG")?;
    writer
        .write_image_data(&pixels)
        .context("cannot write the PNG")?;
    writer.finish().context("cannot write the PNG")?;
    Ok(())
}
