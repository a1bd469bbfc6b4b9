<#
.SYNOPSIS
  Install the ENT readiness agent on this PC: copy ent-agent.exe to Program Files, enrol the
  PC with the département's collector, register the scheduled re-audit, run a first audit.

.DESCRIPTION
  One command per PC, unattended, safe to run again (it updates the binary, the enrolment and
  the task). Must run as administrator, or as SYSTEM (a GPO computer startup script).

  The token is the school's enrolment token (`ent-collector token create --school UAI`). Do
  not put it on a command line that others can read (a GPO script's parameters are readable
  by every domain user in SYSVOL): use -TokenFile on a share readable only by the computers,
  or the ENT_AGENT_TOKEN environment variable.

  What it does, in order (each step stops the script on failure, with exit code 1):
    1. copy ent-agent.exe to "%ProgramFiles%\ENT Readiness\"
    2. ent-agent.exe enroll --collector URL --school UAI [--label TEXT] [--ca-file FILE]
       (state in %ProgramData%\ent-agent, restricted to SYSTEM and Administrators)
    3. ent-agent.exe schedule install   (scheduled task "\ENT Readiness\ent-agent", as SYSTEM,
       on the collector's schedule with its random delay, plus a catch-up at logon unless
       -NoLogon)
    4. unless -NoFirstRun: schtasks /Run, i.e. a first audit in the background

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File install.ps1 -Collector https://collecteur.ac-exemple.fr -School 0751234J -TokenFile \\srv\ent$\0751234J.token -Label "salle 2, poste 5"

.EXAMPLE
  GPO: Computer Configuration > Policies > Windows Settings > Scripts > Startup, script
  install.ps1 with parameters -Collector https://... -School 0751234J -TokenFile \\srv\ent$\0751234J.token
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $Collector,
    [Parameter(Mandatory = $true)] [string] $School,
    [string] $Token,
    [string] $TokenFile,
    [string] $Label,
    [string] $CaFile,
    # ent-agent.exe to install; default: next to this script.
    [string] $Source = (Join-Path $PSScriptRoot 'ent-agent.exe'),
    # Enrol without checking the token now (collector not reachable from here yet).
    [switch] $NoCheck,
    # No catch-up run at logon: only the weekly trigger (with its random delay).
    [switch] $NoLogon,
    [switch] $NoFirstRun
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# Native commands run with 'Continue': Windows PowerShell 5.1 turns their stderr lines into
# terminating errors under 'Stop' when stderr is redirected (as in a GPO startup script).
function Invoke-Native([string] $Exe, [string[]] $Arguments, [switch] $Quiet) {
    $old = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        if ($Quiet) { & $Exe @Arguments *> $null } else { & $Exe @Arguments | Out-Host }
        return $LASTEXITCODE
    } finally {
        $ErrorActionPreference = $old
    }
}

function Fail([string] $Message) {
    Write-Error "ent-agent install: $Message" -ErrorAction Continue
    exit 1
}

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    Fail 'run this script as administrator (or as SYSTEM from a GPO startup script)'
}
if (-not (Test-Path -LiteralPath $Source -PathType Leaf)) {
    Fail "ent-agent.exe not found at $Source (use -Source)"
}
if ($TokenFile) {
    $Token = (Get-Content -LiteralPath $TokenFile -Raw).Trim()
} elseif (-not $Token) {
    $Token = $env:ENT_AGENT_TOKEN
}
if (-not $Token) {
    Fail 'no token: use -TokenFile, -Token or the ENT_AGENT_TOKEN environment variable'
}

$dest = Join-Path $env:ProgramFiles 'ENT Readiness'
$exe = Join-Path $dest 'ent-agent.exe'
New-Item -ItemType Directory -Force -Path $dest | Out-Null
# Stop a running audit that would hold the binary open.
Invoke-Native 'schtasks.exe' @('/End', '/TN', 'ENT Readiness\ent-agent') -Quiet | Out-Null
Copy-Item -LiteralPath $Source -Destination $exe -Force
Write-Host "+ copied $Source to $exe"

$enrol = @('enroll', '--collector', $Collector, '--school', $School)
if ($Label) { $enrol += @('--label', $Label) }
if ($CaFile) { $enrol += @('--ca-file', $CaFile) }
if ($NoCheck) { $enrol += '--no-check' }
# The token goes through the environment, never on a command line.
$env:ENT_AGENT_TOKEN = $Token
Write-Host "+ $exe $($enrol -join ' ')"
$code = Invoke-Native $exe $enrol
Remove-Item Env:\ENT_AGENT_TOKEN
if ($code -ne 0) { Fail "enrolment failed (exit code $code)" }

$schedule = @('schedule', 'install')
if ($NoLogon) { $schedule += '--no-logon' }
Write-Host "+ $exe $($schedule -join ' ')"
$code = Invoke-Native $exe $schedule
if ($code -ne 0) { Fail "could not register the scheduled task (exit code $code)" }

if (-not $NoFirstRun) {
    Write-Host '+ schtasks /Run /TN "ENT Readiness\ent-agent"'
    Invoke-Native 'schtasks.exe' @('/Run', '/TN', 'ENT Readiness\ent-agent') -Quiet | Out-Null
}
Write-Host "ENT readiness agent installed for school $School."
exit 0
