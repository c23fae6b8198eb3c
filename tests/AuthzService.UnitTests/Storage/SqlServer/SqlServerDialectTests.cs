using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Storage.Sqlite;
using Qbee.Authz.Service.Storage.SqlServer;

namespace Qbee.Authz.Service.UnitTests.Storage.SqlServer;

/// <summary>
/// No SQL Server runs here: every T-SQL text the provider can send is parsed with the SQL Server 2022 grammar, and
/// compared with its SQLite twin, whose behaviour the store tests cover.
/// </summary>
public sealed partial class SqlServerDialectTests
{
    public static TheoryData<string> StatementNames => new(Statements(SqlServerDialect.Instance).Keys);

    [Fact]
    public void Statements_EveryOne_ParsesAsTransactSqlWithoutErrors()
    {
        var statements = Statements(SqlServerDialect.Instance);
        statements["SqlServerConnectionFactory.EnableSnapshotIsolation"] = SqlServerConnectionFactory.EnableSnapshotIsolation;
        var failures = new StringBuilder();

        foreach (var (name, sql) in statements)
        {
            foreach (var error in Parse(ExpandDapperLists(sql)))
            {
                failures.AppendLine($"{name}: line {error.Line}, column {error.Column}: {error.Message} (error {error.Number})");
                failures.AppendLine(sql);
                failures.AppendLine();
            }
        }

        Assert.True(failures.Length == 0, failures.ToString());

        // Guards the enumeration itself: all properties, each migration statement, the two audit listings.
        Assert.True(statements.Count > 40, $"only {statements.Count} statements enumerated");
    }

    [Fact]
    public void ConformanceSetup_EveryStatement_ParsesAsTransactSqlWithoutErrors()
    {
        // The SQL Server conformance suite runs only against a server: its own T-SQL is at least parsed everywhere.
        Assert.Empty(Parse(TempSqlServerStore.RewindToVersion2));
        Assert.Empty(Parse(TempSqlServerStore.AllowLegacyAuditIds));
    }

    [Fact]
    public void Parse_InvalidStatement_ReportsAnError()
    {
        Assert.NotEmpty(Parse("SELECT revision FROM accounts WHERE account_id = @AccountId LIMIT @Limit"));
        Assert.NotEmpty(Parse(SqliteDialect.Instance.UpsertRole));
    }

    [Fact]
    public void Statements_SameNamesAsSqlite()
    {
        var sqlite = Statements(SqliteDialect.Instance).Keys.Order(StringComparer.Ordinal);
        var sqlServer = Statements(SqlServerDialect.Instance).Keys.Order(StringComparer.Ordinal);

        Assert.Equal(sqlite, sqlServer);
    }

    [Theory]
    [MemberData(nameof(StatementNames))]
    public void Statement_SameParametersAsSqlite(string name)
    {
        var sqlite = Statements(SqliteDialect.Instance)[name];
        var sqlServer = Statements(SqlServerDialect.Instance)[name];

        Assert.Equal(Parameters(sqlite), Parameters(sqlServer));
    }

    [Fact]
    public void Migrations_SameVersionsTablesColumnsAndIndexesAsSqlite()
    {
        var sqlite = SqliteDialect.Instance.Migrations;
        var sqlServer = SqlServerDialect.Instance.Migrations;

        Assert.Equal(sqlite.Select(m => (m.Version, m.Name)), sqlServer.Select(m => (m.Version, m.Name)));
        for (var i = 0; i < sqlite.Count; i++)
        {
            Assert.Equal(sqlite[i].Statements.Select(Shape), sqlServer[i].Statements.Select(Shape));
        }

        Assert.Equal(sqlite.Select(m => m.Guard), sqlServer.Select(m => m.Guard));
        Assert.Contains("ux_nodes_device_id ON nodes (node_id) WHERE kind = 2", Shape(sqlServer[2].Statements.Single()), StringComparison.Ordinal);

        // Guards the comparison itself: the shape holds columns and their constraints.
        var users = Shape(sqlServer[0].Statements.Single(s => s.StartsWith("CREATE TABLE users", StringComparison.Ordinal)));
        Assert.Contains("email_normalized NOT NULL UNIQUE", users, StringComparison.Ordinal);
        Assert.Contains("account_id NOT NULL REFERENCES accounts (account_id)", users, StringComparison.Ordinal);
    }

    [Fact]
    public void Migrations_TextColumns_AreBinaryCollatedLikeSqlite()
    {
        foreach (var statement in SqlServerDialect.Instance.Migrations.SelectMany(m => m.Statements))
        {
            foreach (Match column in NVarCharColumn().Matches(statement))
            {
                Assert.Contains("COLLATE Latin1_General_100_BIN2", column.Value, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Every statement by name: the dialect's string properties, each migration statement, the audit listings.</summary>
    private static Dictionary<string, string> Statements(SqlDialect dialect)
    {
        var statements = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in typeof(SqlDialect).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.PropertyType == typeof(string))
            {
                // A null statement is one the dialect never sends (LockKey on SQLite and SQL Server).
                if (property.GetValue(dialect) is string sql)
                {
                    statements.Add(property.Name, sql);
                }
            }
            else if (property.PropertyType == typeof(IReadOnlyList<string>))
            {
                var list = (IReadOnlyList<string>)property.GetValue(dialect)!;
                for (var i = 0; i < list.Count; i++)
                {
                    statements.Add($"{property.Name}[{i}]", list[i]);
                }
            }
        }

        foreach (var migration in dialect.Migrations)
        {
            for (var i = 0; i < migration.Statements.Count; i++)
            {
                statements.Add($"Migration{migration.Version}[{i}]", migration.Statements[i]);
            }

            if (migration.Guard is { } guard)
            {
                statements.Add($"Migration{migration.Version}.Guard", guard.Query);
            }
        }

        foreach (var bySubject in new[] { false, true })
        {
            statements.Add($"ListAuditSegments(bySubject: {bySubject})", dialect.ListAuditSegments(bySubject));
        }

        return statements;
    }

    private static IList<ParseError> Parse(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        parser.Parse(reader, out var errors);
        return errors;
    }

    /// <summary>What Dapper sends for <c>IN @List</c> with two items.</summary>
    private static string ExpandDapperLists(string sql) => DapperList().Replace(sql, "IN ($1_1, $1_2)");

    private static string[] Parameters(string sql) =>
        Parameter().Matches(sql).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>A DDL statement reduced to what it creates: object, table and column names. Data steps stay whole.</summary>
    private static string Shape(string ddl)
    {
        if (!ddl.TrimStart().StartsWith("CREATE", StringComparison.Ordinal))
        {
            return Regex.Replace(ddl.Trim(), @"\s+", " ");
        }

        var head = CreateHead().Match(ddl);
        Assert.True(head.Success, $"not a CREATE TABLE or CREATE INDEX: {ddl}");
        if (head.Groups[1].Value == "INDEX")
        {
            return Regex.Replace(head.Value, @"\s+", " ");
        }

        var columns = ColumnLine().Matches(ddl).Select(m => ColumnShape(m.Groups[1].Value, m.Groups[2].Value));
        var constraints = ConstraintLine().Matches(ddl).Select(m => Regex.Replace(m.Value.Trim().TrimEnd(','), @"\s+", " "));
        return $"{head.Value}: {string.Join(", ", columns)}; {string.Join("; ", constraints)}";
    }

    /// <summary>Name, nullability and inline constraints; the type is the dialect's own.</summary>
    private static string ColumnShape(string name, string rest)
    {
        var primaryKey = rest.Contains("PRIMARY KEY", StringComparison.Ordinal);
        var notNull = primaryKey || rest.Contains("NOT NULL", StringComparison.Ordinal);
        var shape = $"{name} {(notNull ? "NOT NULL" : "NULL")}";
        shape += primaryKey ? " PRIMARY KEY" : "";
        shape += rest.Contains("UNIQUE", StringComparison.Ordinal) ? " UNIQUE" : "";
        var references = Regex.Match(rest, @"REFERENCES \w+ \(\w+\)");
        return references.Success ? $"{shape} {references.Value}" : shape;
    }

    [GeneratedRegex(@"(?<![@\w])@(\w+)")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\bIN\s+(@\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex DapperList();

    [GeneratedRegex(@"^CREATE (?:UNIQUE )?(TABLE|INDEX) \w+(?: ON \w+ \([^)]*\)(?: WHERE [^\r\n]*)?)?")]
    private static partial Regex CreateHead();

    [GeneratedRegex(@"^\s+([a-z_]+) ((?:TEXT|INTEGER|NVARCHAR|BIGINT|BIT|BLOB|VARBINARY)\b.*)$", RegexOptions.Multiline)]
    private static partial Regex ColumnLine();

    [GeneratedRegex(@"^\s+(?:PRIMARY KEY|UNIQUE|FOREIGN KEY) .*$", RegexOptions.Multiline)]
    private static partial Regex ConstraintLine();

    [GeneratedRegex(@"\b[a-z_]+ NVARCHAR\([^)]*\)[^,\r\n]*")]
    private static partial Regex NVarCharColumn();
}
