using System.Data.Common;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// Many rows through one insert or upsert written for one row (<c>... VALUES (@A, @B) ...</c>), in as few round trips as
/// the dialect allows (<see cref="SqlDialect.RowsAsArrays"/>, <see cref="SqlDialect.RowsPerStatement"/>): an import
/// is 100k rows and more, and a round trip per row made it minutes on a networked database. Parameters are created
/// once per statement shape and their values replaced, never mapped afresh per row.
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

        var perStatement = Math.Max(1, sql.RowsPerStatement);
        var full = rows.Count / perStatement * perStatement;
        if (full > 0)
        {
            await WriteInStatementsOfAsync(tx, statement, rows, 0, full, perStatement, columns);
        }

        if (full < rows.Count)
        {
            await WriteInStatementsOfAsync(tx, statement, rows, full, rows.Count - full, rows.Count - full, columns);
        }
    }

    private static async Task WriteInStatementsOfAsync<T>(
        StoreTransaction tx, string statement, IReadOnlyList<T> rows, int start, int count, int perStatement, (string Name, Func<T, object> Value)[] columns)
    {
        await using var command = tx.Command(perStatement == 1 ? statement : ManyValues(statement, columns, perStatement));
        var parameters = new DbParameter[perStatement * columns.Length];
        for (var p = 0; p < parameters.Length; p++)
        {
            parameters[p] = command.CreateParameter();
            parameters[p].ParameterName = ParameterName(columns[p % columns.Length].Name, p / columns.Length, perStatement);
            command.Parameters.Add(parameters[p]);
        }

        for (var first = start; first < start + count; first += perStatement)
        {
            for (var p = 0; p < parameters.Length; p++)
            {
                parameters[p].Value = columns[p % columns.Length].Value(rows[first + p / columns.Length]);
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

    /// <summary><c>VALUES (@A, @B)</c> becomes <c>VALUES (@A_0, @B_0), (@A_1, @B_1), ...</c>.</summary>
    private static string ManyValues<T>(string statement, (string Name, Func<T, object> Value)[] columns, int rows)
    {
        var tuples = Enumerable.Range(0, rows).Select(r => "(" + string.Join(", ", columns.Select(c => ParameterName(c.Name, r, rows))) + ")");
        return Replace(statement, $"VALUES ({string.Join(", ", columns.Select(c => "@" + c.Name))})", "VALUES " + string.Join(", ", tuples));
    }

    private static string ParameterName(string column, int row, int rows) => rows == 1 ? "@" + column : $"@{column}_{row}";

    private static string Replace(string statement, string values, string with) =>
        statement.Contains(values, StringComparison.Ordinal)
            ? statement.Replace(values, with, StringComparison.Ordinal)
            : throw new InvalidOperationException($"the statement has no '{values}' to take many rows: {statement}");
}
