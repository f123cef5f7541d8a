# Creates the generated Key Vault secrets (session and token encryption keys) when they do not exist,
# then asks App Service to resolve the app's Key Vault references again. The Windows twin of
# postprovision.sh; it behaves the same way.
#
# Never overwrites: replacing a key signs every user out and makes stored tokens unreadable (rotate on
# purpose instead: docs/deploy.md, "Rotating secrets"). A secret is created only when Key Vault answers
# SecretNotFound; any other answer leaves it alone.
#
# The deploying user's Key Vault role is assigned by main.bicep seconds before this runs and takes a few
# minutes to apply, so a 403 (Forbidden) is retried with a growing pause for up to ten minutes.
#
# Written for Windows PowerShell 5.1 as well as PowerShell 7 (azd uses 5.1 when pwsh is missing): no
# .NET 6 APIs, no PowerShell 7 operators, and az's error output is captured without letting
# $ErrorActionPreference turn it into a terminating error.
#
# Environment: AZURE_KEY_VAULT_NAME, AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP and
# AZURE_FUNCTION_APP_NAME (set by azd from the outputs of main.bicep); ONES_HOOK_BACKOFF_SECONDS, the
# first pause after a 403 (default 5; the pause doubles up to twelve times that, and the hook waits at
# most 120 times that in all).
$ErrorActionPreference = 'Stop'

function Say([string]$Message) { Write-Host "postprovision: $Message" }

function Fail([string]$Message) {
    [Console]::Error.WriteLine("postprovision: $Message")
    exit 1
}

# Runs az and returns its exit code and its combined output as text. Native stderr is read with
# $ErrorActionPreference relaxed, because Windows PowerShell 5.1 otherwise stops at the first line.
function Invoke-Az([string[]]$Arguments) {
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        $lines = & az @Arguments 2>&1 | ForEach-Object { "$_" }
        $code = $LASTEXITCODE
    }
    finally {
        $ErrorActionPreference = $previous
    }
    return New-Object PSObject -Property @{ ExitCode = $code; Text = ($lines -join [Environment]::NewLine) }
}

function Test-Forbidden([string]$Text) { return $Text -match 'Forbidden|\(403\)|status code 403' }

function Write-AzError([string]$Text) {
    foreach ($line in ($Text -split "`r?`n")) { [Console]::Error.WriteLine("  $line") }
}

$vault = $env:AZURE_KEY_VAULT_NAME
if (-not $vault) { Fail "AZURE_KEY_VAULT_NAME is not set; run 'azd provision' first." }

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    Fail "the Azure CLI (az) is not installed or not on PATH. Install it (https://aka.ms/azure-cli), run 'az login' as the account you use with azd, then run 'azd provision' again. Nothing was changed."
}

$base = 5
if ($env:ONES_HOOK_BACKOFF_SECONDS) {
    if ($env:ONES_HOOK_BACKOFF_SECONDS -notmatch '^[0-9]+$') { Fail 'ONES_HOOK_BACKOFF_SECONDS must be a whole number of seconds.' }
    $base = [int]$env:ONES_HOOK_BACKOFF_SECONDS
}
$budget = $base * 120
$cap = $base * 12
$script:waited = 0
$script:pause = $base

# Waits before the next try after a 403, or gives up once the budget is spent.
function Wait-ForRole([string]$What) {
    if ($script:waited -ge $budget) {
        Fail "Key Vault still refuses $What after $($script:waited) s (403 Forbidden). Check that your account holds 'Key Vault Secrets Officer' on vault $vault (main.bicep assigns it to AZURE_PRINCIPAL_ID), then run 'azd provision' again."
    }
    if ($script:waited + $script:pause -gt $budget) { $script:pause = $budget - $script:waited }
    Say "Key Vault refused $What (403): your new role on $vault is still being applied; this takes a few minutes. Trying again in $($script:pause) s ($($script:waited) s of at most $budget s waited)."
    Start-Sleep -Seconds $script:pause
    $script:waited += $script:pause
    $script:pause = [Math]::Min($script:pause * 2, $cap)
}

# 'exists' or 'missing'; retries 403; fails on any other answer, which is never read as "missing".
function Get-SecretState([string]$Name) {
    while ($true) {
        $result = Invoke-Az @('keyvault', 'secret', 'show', '--vault-name', $vault, '--name', $Name, '--query', 'id', '--output', 'none')
        if ($result.ExitCode -eq 0) { return 'exists' }
        if ($result.Text -match 'SecretNotFound') { return 'missing' }
        if (Test-Forbidden $result.Text) { Wait-ForRole "to read $Name"; continue }
        [Console]::Error.WriteLine("postprovision: could not read $Name from Key Vault $vault; it is left as it is. The Azure CLI said:")
        Write-AzError $result.Text
        exit 1
    }
}

function New-GeneratedSecret([string]$Name) {
    # 32 random bytes, base64: an AES-256 key. RandomNumberGenerator.Create() exists in .NET Framework
    # and .NET alike. Written to a temporary file in the user's own profile and passed to az by its path,
    # so the value never appears in the process list or the output.
    $bytes = New-Object byte[] 32
    $rng = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try { $rng.GetBytes($bytes) } finally { $rng.Dispose() }
    $file = [System.IO.Path]::GetTempFileName()
    try {
        [System.IO.File]::WriteAllText($file, [Convert]::ToBase64String($bytes))
        while ($true) {
            $result = Invoke-Az @('keyvault', 'secret', 'set', '--vault-name', $vault, '--name', $Name, '--file', $file, '--encoding', 'utf-8', '--content-type', 'generated by azd postprovision', '--output', 'none')
            if ($result.ExitCode -eq 0) { return }
            if (Test-Forbidden $result.Text) { Wait-ForRole "to create $Name"; continue }
            if ($result.Text -match 'ObjectIsDeletedButRecoverable') {
                Fail "$Name was deleted and is still recoverable in $vault. Recover it ('az keyvault secret recover --vault-name $vault --name $Name') to keep the existing key, or purge it to start afresh; then run 'azd provision' again."
            }
            [Console]::Error.WriteLine("postprovision: could not create $Name in Key Vault $vault. The Azure CLI said:")
            Write-AzError $result.Text
            exit 1
        }
    }
    finally {
        Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
    }
}

foreach ($name in @('session-key', 'token-encryption-key')) {
    if ((Get-SecretState $name) -eq 'exists') {
        Say "$name exists; left as it is."
    }
    else {
        New-GeneratedSecret $name
        Say "$name created."
    }
}

# App Service caches Key Vault references for up to a day, and the app settings were written before
# these secrets existed: ask it to resolve them now (the documented refresh endpoint).
$sub = $env:AZURE_SUBSCRIPTION_ID
$group = $env:AZURE_RESOURCE_GROUP
$app = $env:AZURE_FUNCTION_APP_NAME
if (-not $sub -or -not $group -or -not $app) {
    Say 'AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP or AZURE_FUNCTION_APP_NAME is not set, so the Key Vault references were not refreshed; run the refresh call in docs/deploy.md (section 5) once the deployment is done.'
    exit 0
}
# A path without a host: az prefixes the Resource Manager endpoint of the current cloud.
$refresh = "/subscriptions/$sub/resourceGroups/$group/providers/Microsoft.Web/sites/$app/config/configreferences/appsettings/refresh?api-version=2022-03-01"
$result = Invoke-Az @('rest', '--method', 'post', '--url', $refresh, '--output', 'none')
if ($result.ExitCode -eq 0) {
    Say "Key Vault references of $app refreshed."
}
else {
    [Console]::Error.WriteLine("postprovision: the secrets are in place, but refreshing the Key Vault references of $app failed; the app picks them up within a day, or at once when you run:")
    [Console]::Error.WriteLine("  az rest --method post --url `"$refresh`"")
    Write-AzError $result.Text
}
exit 0
