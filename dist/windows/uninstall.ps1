<#
.SYNOPSIS
  Remove the ENT readiness agent from this PC: the scheduled task and the binary; with
  -Purge also its state (%ProgramData%\ent-agent: enrolment, token, spool of unsent reports).

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File uninstall.ps1 -Purge
#>
[CmdletBinding()]
param([switch] $Purge)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    Write-Error 'ent-agent uninstall: run this script as administrator' -ErrorAction Continue
    exit 1
}

function Invoke-Native([string] $Exe, [string[]] $Arguments) {
    $old = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try { & $Exe @Arguments | Out-Host; return $LASTEXITCODE } finally { $ErrorActionPreference = $old }
}

$dest = Join-Path $env:ProgramFiles 'ENT Readiness'
$exe = Join-Path $dest 'ent-agent.exe'
if (Test-Path -LiteralPath $exe) {
    Write-Host "+ $exe schedule remove"
    Invoke-Native $exe @('schedule', 'remove') | Out-Null
} else {
    Write-Host '+ schtasks /Delete /TN "ENT Readiness\ent-agent" /F'
    Invoke-Native 'schtasks.exe' @('/Delete', '/TN', 'ENT Readiness\ent-agent', '/F') | Out-Null
}
if (Test-Path -LiteralPath $dest) {
    Write-Host "+ remove $dest"
    Remove-Item -LiteralPath $dest -Recurse -Force
}
if ($Purge) {
    $state = Join-Path $env:ProgramData 'ent-agent'
    if (Test-Path -LiteralPath $state) {
        Write-Host "+ remove $state (enrolment, token, unsent reports)"
        Remove-Item -LiteralPath $state -Recurse -Force
    }
}
Write-Host 'ENT readiness agent removed.'
exit 0
