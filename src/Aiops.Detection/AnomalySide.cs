namespace Aiops.Detection;

/// <summary>Which departures from normal a p-value based detector reports.</summary>
public enum AnomalySide
{
    /// <summary>Both unusually high and unusually low values (the default).</summary>
    Both = 0,

    /// <summary>Only unusually high values.</summary>
    Up = 1,

    /// <summary>Only unusually low values.</summary>
    Down = 2,
}
