using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aiops.Hosting;

/// <summary>A Prometheus HTTP API response: <c>{"status":"success","data":{...}}</c> or <c>{"status":"error","errorType":..,"error":..}</c>.</summary>
internal sealed class PrometheusResponse
{
    public string? Status { get; set; }

    public PrometheusData? Data { get; set; }

    public string? ErrorType { get; set; }

    public string? Error { get; set; }
}

/// <summary>The <c>data</c> of a query response.</summary>
internal sealed class PrometheusData
{
    public string? ResultType { get; set; }

    public List<PrometheusSeries>? Result { get; set; }
}

/// <summary>One series of a matrix result.</summary>
internal sealed class PrometheusSeries
{
    public Dictionary<string, string>? Metric { get; set; }

    public List<PrometheusPoint>? Values { get; set; }
}

/// <summary>One point, <c>[unix seconds, "value"]</c>.</summary>
/// <param name="Seconds">The Unix time in seconds.</param>
/// <param name="Value">The value; <c>NaN</c>, <c>+Inf</c> and <c>-Inf</c> included.</param>
[JsonConverter(typeof(PrometheusPointConverter))]
internal readonly record struct PrometheusPoint(double Seconds, double Value);

/// <summary>Reads and writes <see cref="PrometheusPoint"/> as Prometheus's two-element array.</summary>
internal sealed class PrometheusPointConverter : JsonConverter<PrometheusPoint>
{
    public override PrometheusPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException("A point must be [unix seconds, \"value\"].");
        }

        var seconds = reader.GetDouble();
        if (!reader.Read() || reader.TokenType != JsonTokenType.String || !TryParseValue(reader.GetString()!, out var value))
        {
            throw new JsonException("A point's value must be a number in a string.");
        }

        if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
        {
            throw new JsonException("A point must have two elements.");
        }

        return new PrometheusPoint(seconds, value);
    }

    public override void Write(Utf8JsonWriter writer, PrometheusPoint value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Seconds);
        writer.WriteStringValue(Format(value.Value));
        writer.WriteEndArray();
    }

    /// <summary>Parses a Prometheus sample value: a float, <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.</summary>
    internal static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf" or "Inf" or "+inf" or "inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf" or "-inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture),
    };
}

/// <summary>Source-generated (reflection-free) metadata for the Prometheus HTTP API response: camelCase names.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PrometheusResponse))]
internal sealed partial class PrometheusSourceJsonContext : JsonSerializerContext;
