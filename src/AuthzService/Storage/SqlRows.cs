using System.Data.Common;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// Many rows through one insert or upsert written for one row (<c>... VALUES (@A, @B) ...</c>), in as few round trips as
/// the dialect allows (<see cref="SqlDialect.RowsAsArrays"/>): an import is 100k rows and more, and a round trip per
/// row made it minutes on a networked database. Parameters are created once per statement and their values replaced,
/// never mapped afresh per row.
/// </summary>
internal static class SqlRows
{
    /// <summary>Rows per statement when each column is one array: bounds a statement's size, not its count.</summary>
    private const int ArrayChunk = 10_000;

    /// <param name="statement">Names each column once, in <paramref name="columns"/>' order, in its VALUES list.</param>
    /// <param name="rows">
    /// Each row's key at most once where the statement upserts: PostgreSQL refuses a statement that updates one row twice.
    /// </param>
    public static async Task WriteAsync<T>(
        StoreTransaction tx, SqlDialect sql, string statement, IReadOnlyList<T> rows, params (string Name, Func<T, object> Value)[] columns)
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (sql.RowsAsArrays)
        {
            await WriteAsArraysAsync(tx, statement, rows, columns);
            return;
        }

        // One statement, its parameters' values replaced per row: in process (SQLite) a row costs no round trip, and
        // a VALUES list of 100 rows measured slower, not faster, on Microsoft.Data.Sqlite (bench/README.md).
        await using var command = tx.Command(statement);
        var parameters = new DbParameter[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            parameters[c] = command.CreateParameter();
            parameters[c].ParameterName = "@" + columns[c].Name;
            command.Parameters.Add(parameters[c]);
        }

        foreach (var row in rows)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                parameters[c].Value = columns[c].Value(row);
            }

            await command.ExecuteNonQueryAsync(tx.CancellationToken);
        }
    }

    /// <summary>PostgreSQL: <c>VALUES (@A, @B)</c> becomes <c>SELECT * FROM unnest(@A, @B)</c>, each parameter an array.</summary>
    private static async Task WriteAsArraysAsync<T>(
        StoreTransaction tx, string statement, IReadOnlyList<T> rows, (string Name, Func<T, object> Value)[] columns)
    {
        var names = string.Join(", ", columns.Select(c => "@" + c.Name));
        await using var command = tx.Command(Replace(statement, $"VALUES ({names})", $"SELECT * FROM unnest({names})"));
        var parameters = new DbParameter[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            parameters[c] = command.CreateParameter();
            parameters[c].ParameterName = "@" + columns[c].Name;
            command.Parameters.Add(parameters[c]);
        }

        for (var first = 0; first < rows.Count; first += ArrayChunk)
        {
            var count = Math.Min(ArrayChunk, rows.Count - first);
            for (var c = 0; c < columns.Length; c++)
            {
                // Typed (string[], long[], bool[]): the driver maps the array's element type to the column's.
                var values = Array.CreateInstance(columns[c].Value(rows[first]).GetType(), count);
                for (var r = 0; r < count; r++)
                {
                    values.SetValue(columns[c].Value(rows[first + r]), r);
                }

                parameters[c].Value = values;
            }

            await command.ExecuteNonQueryAsync(tx.CancellationToken);
        }
    }

    private static string Replace(string statement, string values, string with) =>
        statement.Contains(values, StringComparison.Ordinal)
            ? statement.Replace(values, with, StringComparison.Ordinal)
            : throw new InvalidOperationException($"the statement has no '{values}' to take many rows: {statement}");
}
